// Loaded with <script type="module"> at the end of <body>.
import { createAll, initAll } from './govuk-frontend.min.js';
import { FilterToggleButton, initAll as initMojAll } from './moj-frontend.min.js';
import { startSessionTimeout } from './session-timeout.mjs';

initAll();
initMojAll();
// MoJ's initAll leaves the filter toggle out: the data pages' filter panels are collapsible through it.
createAll(FilterToggleButton);
startSessionTimeout();
