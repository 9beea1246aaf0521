// Loaded with <script type="module"> at the end of <body>.
import { initAll } from './govuk-frontend.min.js';
import { initAll as initMojAll } from './moj-frontend.min.js';
import { startSessionTimeout } from './session-timeout.mjs';

initAll();
initMojAll();
startSessionTimeout();
