namespace B24Mail.Storage;

public enum SqlDialect
{
    Sqlite,
    Postgres,
}
