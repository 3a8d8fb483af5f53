DROP TABLE notifications;
DROP TABLE cases;
