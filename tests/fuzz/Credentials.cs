namespace B24Mail.Fuzz;

/// <summary>The credentials the harness made on its server, so that authenticated paths are reached too.</summary>
public sealed class Credentials
{
    /// <summary>127.0.0.1:PORT, the Host of ordinary requests.</summary>
    public required string HostPort { get; init; }

    /// <summary>Bootstrap webhook of administrator 1 (scope mailservice).</summary>
    public required string AdminSecret { get; init; }

    /// <summary>Webhook of user 2, not an administrator (scopes mailservice, user).</summary>
    public required string UserSecret { get; init; }

    /// <summary>Webhook of user 3, who was deactivated after it was made.</summary>
    public required string InactiveSecret { get; init; }

    /// <summary>Webhook of administrator 1 of the second portal, whose domain is <see cref="P2Domain"/>.</summary>
    public required string P2Secret { get; init; }

    public required string P2Domain { get; init; }

    public required string ClientId { get; init; }

    public required string ClientSecret { get; init; }

    public required string AccessToken { get; init; }

    public required string RefreshToken { get; init; }

    /// <summary>Path of a stored logo, /upload/mailservice/icon/{id}/{key}/{name}, or null if making one failed.</summary>
    public string? IconPath { get; set; }

    /// <summary>Every secret string, with its role, so a replay can put a fresh server's in its place.</summary>
    public IEnumerable<(string Role, string Value)> Named()
    {
        yield return ("host", HostPort);
        yield return ("admin_secret", AdminSecret);
        yield return ("user_secret", UserSecret);
        yield return ("inactive_secret", InactiveSecret);
        yield return ("p2_secret", P2Secret);
        yield return ("client_id", ClientId);
        yield return ("client_secret", ClientSecret);
        yield return ("access_token", AccessToken);
        yield return ("refresh_token", RefreshToken);
        if (IconPath is not null) yield return ("icon_path", IconPath);
    }
}
