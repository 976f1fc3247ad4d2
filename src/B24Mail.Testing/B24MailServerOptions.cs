namespace B24Mail.Testing;

/// <summary>How <see cref="B24MailServer.StartAsync"/> starts the server. The defaults give a fresh, isolated portal.</summary>
public sealed record B24MailServerOptions
{
    /// <summary>The data folder (SQLite file, TLS certificate, bootstrap webhook); null: a fresh temporary one, removed on dispose.</summary>
    public string? DataFolder { get; init; }

    /// <summary>
    /// An Npgsql connection string: the state lives in that PostgreSQL database instead of SQLite. The database is
    /// yours (not created or dropped here), so servers running at once need databases of their own.
    /// </summary>
    public string? Postgres { get; init; }

    /// <summary>Start with <c>--clock manual</c>: time stands still until <see cref="B24MailControl.AdvanceClockAsync"/> or <see cref="B24MailControl.SetClockAsync"/>.</summary>
    public bool ManualClock { get; init; }

    /// <summary>A state document to start from (<c>--seed</c>) instead of portal <c>default</c> with the presets.</summary>
    public string? Seed { get; init; }

    /// <summary>
    /// The rate limit (<c>--rate-limit</c>). Off by default here, unlike the server's own default: a test suite calls
    /// faster than a person, and a test about the limit turns it on.
    /// </summary>
    public bool RateLimit { get; init; }

    /// <summary>Further settings as on the command line (<c>--journal-size</c>, <c>100</c>, ...); each may be given once.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
