// Loaded with <script src> at the start of <body> (the CSP forbids inline
// scripts). Marks JavaScript support, and ES module support for GOV.UK Frontend.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
