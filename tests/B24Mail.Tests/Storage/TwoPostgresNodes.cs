using B24Mail.Storage.Postgres;
using B24Mail.Tests.EndToEnd;

namespace B24Mail.Tests.Storage;

/// <summary>
/// Two <see cref="PostgresDatabase"/> instances on one fresh, real database, standing for two nodes, with a table
/// <c>t</c> whose row 1 holds "one".
/// </summary>
public abstract class TwoPostgresNodes : IAsyncLifetime
{
    protected string Connection { get; private set; } = null!;
    protected PostgresDatabase Node { get; set; } = null!;
    protected PostgresDatabase Other { get; set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Connection = await PostgresTestDatabase.CreateAsync();
        Node = new PostgresDatabase(Connection);
        Other = new PostgresDatabase(Connection);
        await Node.WriteAsync(session => session.ExecuteAsync("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO t VALUES (1, 'one')"));
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Other.DisposeAsync();
        await PostgresTestDatabase.DropAsync(Connection);
    }
}
