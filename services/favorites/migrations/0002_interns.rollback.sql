DROP TABLE interns;
