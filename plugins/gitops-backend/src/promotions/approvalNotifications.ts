// The suite's notifications are built in one place: see `promotionNotifications.ts`.
export { deploymentsLink, notifyApprovers } from './promotionNotifications';
