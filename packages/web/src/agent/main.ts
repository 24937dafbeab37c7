import { startPage } from '../ui/page.js';
import { AgentPage } from './AgentPage.js';

void new AgentPage(startPage()).start();
