import { startPage } from '../ui/page.js';

// The landing page is static; starting it fills in its text and the language control.
startPage();
