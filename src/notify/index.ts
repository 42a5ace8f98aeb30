// Notifications, fed by VRRP and checker events: notify scripts and SMTP alerts.
export { Notifier, DEFAULT_NOTIFY_TIMEOUT_MS, type NotifierOptions, type NotifyOutcome } from './notify-scripts.js';
export { alertConfig, sendAlert, realServerSubject, virtualServerSubject, type SmtpAlertConfig, type AlertResult } from './smtp-alert.js';
