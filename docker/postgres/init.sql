-- Run once by the postgres image on an empty data volume: one database per service.
-- Each service creates its own tables through its migrations at start-up.
CREATE DATABASE orders;
CREATE DATABASE invoices;
