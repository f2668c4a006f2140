#!/bin/sh
# Run once by the postgres image when its volume is initialised: the two roles of the
# application (README, commission/db/roles.py) and the database, owned by the owner role.
# The application role owns nothing and is no superuser; `migrate` runs as the owner, which
# grants the application role its rights.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$POSTGRES_OWNER_PASSWORD" -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE commission_owner LOGIN CREATEDB NOSUPERUSER PASSWORD :'owner_password';
CREATE ROLE commission_app LOGIN NOSUPERUSER NOCREATEDB PASSWORD :'app_password';
GRANT commission_app TO commission_owner;
CREATE DATABASE commission OWNER commission_owner;
SQL
