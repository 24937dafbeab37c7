import { RoomError } from './RoomTypes.js';

export interface CameraAndMic {
  /** Null when the device has no camera or it was refused while the mic was granted. */
  camera: MediaStreamTrack | null;
  mic: MediaStreamTrack | null;
}

export interface CaptureOptions {
  audioDeviceId?: string;
  videoDeviceId?: string;
  /** Default true; false captures the mic only. */
  video?: boolean;
}

function mediaDevices(): MediaDevices {
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices) throw new RoomError('MEDIA_UNSUPPORTED', 'this browser gives no access to cameras (is the page on https?)');
  return devices;
}

/** Camera (720p ideal) and mic with echo cancellation; the tracks are ready for `Room.publish`. */
export async function captureCameraAndMic(options: CaptureOptions = {}): Promise<CameraAndMic> {
  const audio: MediaTrackConstraints = {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    ...(options.audioDeviceId ? { deviceId: { exact: options.audioDeviceId } } : {}),
  };
  const video: MediaTrackConstraints | false =
    options.video === false
      ? false
      : {
          width: { ideal: 1280 },
          height: { ideal: 720 },
          frameRate: { ideal: 30, max: 30 },
          ...(options.videoDeviceId ? { deviceId: { exact: options.videoDeviceId } } : {}),
        };
  const stream = await mediaDevices().getUserMedia({ audio, video });
  return { camera: stream.getVideoTracks()[0] ?? null, mic: stream.getAudioTracks()[0] ?? null };
}

/** The browser's screen picker; video only, hinted for legible text. */
export async function captureScreen(): Promise<MediaStreamTrack> {
  const devices = mediaDevices();
  if (typeof devices.getDisplayMedia !== 'function') {
    throw new RoomError('MEDIA_UNSUPPORTED', 'this browser cannot share its screen');
  }
  const stream = await devices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
  const track = stream.getVideoTracks()[0];
  if (!track) throw new RoomError('MEDIA_UNSUPPORTED', 'the screen capture has no video');
  track.contentHint = 'detail';
  return track;
}

/** Cameras, mics and speakers. Labels are empty until the page has been granted a capture once. */
export async function listMediaDevices(): Promise<MediaDeviceInfo[]> {
  return mediaDevices().enumerateDevices();
}
