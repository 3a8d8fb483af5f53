DROP TABLE dead_letters;
DROP TABLE consumer_streams;
DROP TABLE consumer_inbox;
