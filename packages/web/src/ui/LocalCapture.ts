import { captureCameraAndMic, listMediaDevices } from '@tandem/client';
import type { LocalMedia } from './CallView.js';

export interface DeviceChoice {
  audioDeviceId?: string | undefined;
  videoDeviceId?: string | undefined;
}

export interface CaptureResult {
  media: LocalMedia;
  /** Why some or all of the media is missing; the call can still go on (chat, listening). */
  error?: unknown;
}

const DEVICES_KEY = 'tandem.devices';

/**
 * Camera and mic, as much as the browser gives: a missing or refused camera still
 * leaves the mic, and a device picked earlier that has gone falls back to the default.
 */
export async function captureLocal(choice: DeviceChoice = savedDevices()): Promise<CaptureResult> {
  const ids = {
    ...(choice.audioDeviceId ? { audioDeviceId: choice.audioDeviceId } : {}),
    ...(choice.videoDeviceId ? { videoDeviceId: choice.videoDeviceId } : {}),
  };
  let firstError: unknown;
  const attempts = [
    () => captureCameraAndMic(ids),
    () => captureCameraAndMic({}),
    () => captureCameraAndMic({ video: false }),
  ];
  for (const attempt of attempts) {
    try {
      const { camera, mic } = await attempt();
      return { media: { audio: mic ?? undefined, video: camera ?? undefined }, ...(firstError ? { error: firstError } : {}) };
    } catch (error) {
      firstError ??= error;
      // A refusal will not change by asking again with other constraints.
      if ((error as { name?: string }).name === 'NotAllowedError') break;
    }
  }
  return { media: {}, error: firstError };
}

export function stopMedia(media: LocalMedia): void {
  media.audio?.stop();
  media.video?.stop();
}

export async function devicesOfKind(kind: MediaDeviceKind): Promise<MediaDeviceInfo[]> {
  try {
    return (await listMediaDevices()).filter((device) => device.kind === kind && device.deviceId !== '');
  } catch {
    return [];
  }
}

export function savedDevices(): DeviceChoice {
  try {
    const parsed = JSON.parse(localStorage.getItem(DEVICES_KEY) ?? '{}') as Record<string, unknown>;
    return {
      audioDeviceId: typeof parsed.audioDeviceId === 'string' ? parsed.audioDeviceId : undefined,
      videoDeviceId: typeof parsed.videoDeviceId === 'string' ? parsed.videoDeviceId : undefined,
    };
  } catch {
    return {};
  }
}

export function saveDevices(choice: DeviceChoice): void {
  try {
    localStorage.setItem(DEVICES_KEY, JSON.stringify(choice));
  } catch {
    // Not remembering a device is harmless.
  }
}
