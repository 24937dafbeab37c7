import { startPage } from '../ui/page.js';
import { CustomerPage } from './CustomerPage.js';

void new CustomerPage(startPage()).start();
