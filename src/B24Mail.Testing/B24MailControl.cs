using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace B24Mail.Testing;

/// <summary>
/// Typed helpers over the control plane (<c>/_b24mail/</c>, README "Control plane"). They speak HTTP to it as any
/// client would, from loopback, so no admin key is needed. A refusal throws <see cref="B24MailControlException"/>
/// with the problem details. <c>portal</c> parameters name a portal by its code.
/// </summary>
public sealed class B24MailControl : IDisposable
{
    public const string DefaultPortal = "default";

    private readonly HttpClient _client;

    internal B24MailControl(HttpClient client) => _client = client;

    /// <summary>Every portal back to the baseline (the first start, the seed, or the last applied state), and the journal and fault rules cleared.</summary>
    public Task<ResetResult> ResetAsync(CancellationToken cancellationToken = default) =>
        SendAsync("reset", "{}", ControlJson.Default.ResetResult, cancellationToken);

    /// <summary>One portal's own rows, tokens and limits back to the baseline.</summary>
    public Task<ResetResult> ResetPortalAsync(string portal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/reset", "{}", ControlJson.Default.ResetResult, cancellationToken);

    /// <summary>Replaces the whole state with a state document (README "State document"), which becomes the baseline of resets.</summary>
    public Task ApplyStateAsync(string document, CancellationToken cancellationToken = default) =>
        SendAsync("state", document, ControlJson.Default.JsonElement, cancellationToken);

    /// <summary>The same with a document built in code, such as <c>new JsonObject { ["version"] = 1, ["portals"] = ... }</c>.</summary>
    public Task ApplyStateAsync(JsonNode document, CancellationToken cancellationToken = default) =>
        ApplyStateAsync(document.ToJsonString(), cancellationToken);

    /// <summary>The same from a file. Over HTTP a logo comes as base64: a document naming logo files needs <see cref="B24MailServerOptions.Seed"/>.</summary>
    public async Task ApplyStateFileAsync(string path, CancellationToken cancellationToken = default) =>
        await ApplyStateAsync(await File.ReadAllTextAsync(path, cancellationToken), cancellationToken);

    /// <summary>The whole state as a document (secrets as hashes), as <see cref="ApplyStateAsync(string, CancellationToken)"/> takes it back.</summary>
    public async Task<string> ExportStateAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _client.GetAsync("/_b24mail/state", cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    /// <summary>Recorded calls, newest first, optionally only of a method (exact, or a prefix such as <c>mailservice.*</c>), portal or status.</summary>
    public async Task<IReadOnlyList<JournalRequest>> RequestsAsync(string? method = null, string? portal = null, int? status = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (method is not null) query.Add("method=" + Uri.EscapeDataString(method));
        if (portal is not null) query.Add("portal=" + Uri.EscapeDataString(portal));
        if (status is { } s) query.Add("status=" + s.ToString(CultureInfo.InvariantCulture));
        if (limit is { } l) query.Add("limit=" + l.ToString(CultureInfo.InvariantCulture));
        using var response = await _client.GetAsync("/_b24mail/requests" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), cancellationToken);
        var page = JsonSerializer.Deserialize(await ReadAsync(response, cancellationToken), ControlJson.Default.JournalPage)!;
        return page.Requests;
    }

    public Task ClearRequestsAsync(CancellationToken cancellationToken = default) => DeleteAsync("requests", cancellationToken);

    /// <summary>Adds a fault rule; returns its ID.</summary>
    public async Task<long> AddFaultAsync(FaultRule rule, CancellationToken cancellationToken = default) =>
        (await SendAsync("faults", JsonSerializer.Serialize(rule, ControlJson.Default.FaultRule), ControlJson.Default.FaultRuleAdded, cancellationToken)).Id;

    public Task RemoveFaultAsync(long id, CancellationToken cancellationToken = default) =>
        DeleteAsync("faults/" + id.ToString(CultureInfo.InvariantCulture), cancellationToken);

    public Task ClearFaultsAsync(CancellationToken cancellationToken = default) => DeleteAsync("faults", cancellationToken);

    /// <summary>Moves the manual clock forward (whole milliseconds); the server must run with <see cref="B24MailServerOptions.ManualClock"/>.</summary>
    public async Task<DateTimeOffset> AdvanceClockAsync(TimeSpan by, CancellationToken cancellationToken = default) =>
        (await SendAsync("clock", JsonSerializer.Serialize(new ControlRequests.ClockChange(by.TotalSeconds, null), ControlJson.Default.ClockChange), ControlJson.Default.ClockTime, cancellationToken)).Now;

    /// <summary>Sets the manual clock, forward or back.</summary>
    public async Task<DateTimeOffset> SetClockAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        (await SendAsync("clock", JsonSerializer.Serialize(new ControlRequests.ClockChange(null, now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), ControlJson.Default.ClockChange), ControlJson.Default.ClockTime, cancellationToken)).Now;

    public async Task<DateTimeOffset> GetClockAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _client.GetAsync("/_b24mail/clock", cancellationToken);
        return JsonSerializer.Deserialize(await ReadAsync(response, cancellationToken), ControlJson.Default.ClockTime)!.Now;
    }

    /// <summary>Sets a portal's state (<c>active</c>, <c>blocked</c>, <c>free</c>, <c>closed</c>), licence type or language.</summary>
    public Task SetPortalAsync(string? state = null, string? license = null, string? language = null, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}", JsonSerializer.Serialize(new ControlRequests.PortalChange(state, license, language), ControlJson.Default.PortalChange), ControlJson.Default.JsonElement, cancellationToken);

    public Task<PortalUserInfo> AddUserAsync(string name, bool admin = false, string? lastName = null, string? email = null, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/users", JsonSerializer.Serialize(new ControlRequests.NewUser(name, lastName, email, admin), ControlJson.Default.NewUser), ControlJson.Default.PortalUserInfo, cancellationToken);

    /// <summary>An inactive user's webhooks and tokens stop working until it is active again.</summary>
    public Task<PortalUserInfo> SetUserActiveAsync(long user, bool active, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/users/{user.ToString(CultureInfo.InvariantCulture)}", Active(active), ControlJson.Default.PortalUserInfo, cancellationToken);

    /// <summary>Gives a user the administrator right (<c>mailservice.add</c>, <c>.update</c> and <c>.delete</c> need it), or takes it away.</summary>
    public Task<PortalUserInfo> SetUserAdminAsync(long user, bool admin, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/users/{user.ToString(CultureInfo.InvariantCulture)}",
            JsonSerializer.Serialize(new ControlRequests.AdminChange(admin), ControlJson.Default.AdminChange), ControlJson.Default.PortalUserInfo, cancellationToken);

    /// <summary>
    /// Runs a REST method as the portal's first active administrator, with every scope and no webhook, through the
    /// same dispatcher as the REST API (fault rules and limits apply, the call is journaled), as the console does: a
    /// way to arrange data without a credential of the test's own. The answer is the REST answer, refusals included.
    /// </summary>
    public async Task<RestAnswer> CallAsync(string method, JsonObject? parameters = null, string portal = DefaultPortal, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(parameters?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync($"/_b24mail/portals/{Escape(portal)}/call/{Escape(method)}", content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        // The control plane's own refusals (no such portal, no administrator) are problem details, not REST answers.
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json") throw new B24MailControlException(response.StatusCode, body);
        using var document = JsonDocument.Parse(body);
        return new RestAnswer(response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>Makes a webhook; its <see cref="WebhookInfo.Url"/> (<c>https://127.0.0.1:PORT/rest/USER/SECRET/</c>) is what a client calls.</summary>
    public Task<WebhookInfo> AddWebhookAsync(long user, IEnumerable<string> scopes, TimeSpan? expiresIn = null, string? title = null, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/webhooks",
            JsonSerializer.Serialize(new ControlRequests.NewWebhook(user, scopes.ToList(), title, expiresIn is { } e ? (long)e.TotalSeconds : null), ControlJson.Default.NewWebhook),
            ControlJson.Default.WebhookInfo, cancellationToken);

    public Task<WebhookInfo> SetWebhookActiveAsync(long webhook, bool active, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/webhooks/{webhook.ToString(CultureInfo.InvariantCulture)}", Active(active), ControlJson.Default.WebhookInfo, cancellationToken);

    public Task RemoveWebhookAsync(long webhook, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        DeleteAsync($"portals/{Escape(portal)}/webhooks/{webhook.ToString(CultureInfo.InvariantCulture)}", cancellationToken);

    /// <summary>Installs an OAuth app; the answer holds the only copy of its client secret.</summary>
    public Task<AppCredentials> AddAppAsync(string name, IEnumerable<string> scopes, string redirectUri = "https://app.example/callback", string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/apps", JsonSerializer.Serialize(new ControlRequests.NewApp(name, scopes.ToList(), redirectUri), ControlJson.Default.NewApp), ControlJson.Default.AppCredentials, cancellationToken);

    /// <summary>Limits an app to these users (other users' tokens answer <c>user_access_error</c>); none opens it to all.</summary>
    public Task RestrictAppAsync(string clientId, IEnumerable<long> users, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/apps/{Escape(clientId)}/users", JsonSerializer.Serialize(new ControlRequests.UserList(users.ToList()), ControlJson.Default.UserList), ControlJson.Default.JsonElement, cancellationToken);

    /// <summary>A token pair for a user without the consent page, as <c>token issue</c> prints it.</summary>
    public Task<TokenPair> IssueTokenAsync(string clientId, long user, string portal = DefaultPortal, CancellationToken cancellationToken = default) =>
        SendAsync($"portals/{Escape(portal)}/apps/{Escape(clientId)}/tokens", JsonSerializer.Serialize(new ControlRequests.UserRef(user), ControlJson.Default.UserRef), ControlJson.Default.TokenPair, cancellationToken);

    public void Dispose() => _client.Dispose();

    private static string Active(bool active) => JsonSerializer.Serialize(new ControlRequests.ActiveChange(active), ControlJson.Default.ActiveChange);

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    // Writes carry Content-Type: application/json, which the control plane requires of a body (no HTML form can send it).
    private async Task<T> SendAsync<T>(string path, string json, JsonTypeInfo<T> answer, CancellationToken cancellationToken)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync("/_b24mail/" + path, content, cancellationToken);
        return JsonSerializer.Deserialize(await ReadAsync(response, cancellationToken), answer)!;
    }

    private async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _client.DeleteAsync("/_b24mail/" + path, cancellationToken);
        await ReadAsync(response, cancellationToken);
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new B24MailControlException(response.StatusCode, body);
        return body;
    }
}
