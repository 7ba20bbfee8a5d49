-- The desk's and the back-end's databases beside Rasa's trackers (POSTGRES_DB), created on the first start.
CREATE DATABASE kundesenter_desk;
CREATE DATABASE carrier_backend;
