import { pageStorage, startPage } from '../ui/page.js';
import { OpsApi } from './OpsApi.js';
import { OpsPage } from './OpsPage.js';
import { OpsToken } from './OpsToken.js';

new OpsPage(startPage(), {
  api: new OpsApi(location.origin),
  token: new OpsToken(pageStorage),
  confirm: (question) => window.confirm(question),
}).start();
