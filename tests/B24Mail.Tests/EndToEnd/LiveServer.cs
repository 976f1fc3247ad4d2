using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using B24Mail.Rest.Identity;
using B24Mail.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace B24Mail.Tests.EndToEnd;

/// <summary>A response as a client sees it: status, raw body and the parsed JSON (when it is JSON).</summary>
public sealed record RestResponse(HttpStatusCode Status, string Raw, HttpResponseMessage Message)
{
    public JsonElement Json => JsonDocument.Parse(Raw).RootElement;

    public JsonElement Result => Json.GetProperty("result");

    public string? Error => Json.TryGetProperty("error", out var e) ? e.GetString() : null;

    public string? ErrorDescription => Json.GetProperty("error_description").GetString();
}

/// <summary>
/// The real server, started in this process on loopback ports (HTTPS and HTTP) with a fresh data folder,
/// spoken to over real HTTP. No part of it is replaced.
/// </summary>
public sealed class LiveServer : IAsyncDisposable
{
    private WebApplication _app = null!;
    private string[] _extraArgs;

    private readonly TimeProvider? _time;
    private readonly Action<WebApplicationBuilder>? _configure;

    private LiveServer(string dataDir, string[] extraArgs, TimeProvider? time, Action<WebApplicationBuilder>? configure)
    {
        DataDir = dataDir;
        _extraArgs = extraArgs;
        _time = time;
        _configure = configure;
    }

    public string DataDir { get; }
    public string HttpsBase { get; private set; } = "";
    public string HttpBase { get; private set; } = "";
    /// <summary>The admin webhook made on first start, over HTTPS, ending in '/'.</summary>
    public string Webhook { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _app.Services;
    public X509Certificate2 Certificate { get; private set; } = null!;


    public static async Task<LiveServer> StartAsync(params string[] extraArgs) => await StartAsync(NewDataDir(), extraArgs);

    /// <summary>Starts with a clock the test controls, injected as the server's TimeProvider.</summary>
    public static async Task<LiveServer> StartAsync(TimeProvider time, params string[] extraArgs) => await StartAsync(NewDataDir(), extraArgs, time);

    public static async Task<LiveServer> StartAsync(string dataDir, string[] extraArgs, TimeProvider? time = null, Action<WebApplicationBuilder>? configure = null)
    {
        var server = new LiveServer(dataDir, extraArgs, time, configure);
        await server.BootAsync();
        return server;
    }

    public static string NewDataDir() => Path.Combine(Path.GetTempPath(), "b24mail-tests", Guid.NewGuid().ToString("N"));

    /// <summary>
    /// The store the end-to-end suite runs on: SQLite unless B24MAIL_TEST_STORE=postgres, in which case each
    /// server gets a fresh database on the PostgreSQL that B24MAIL_TEST_POSTGRES (an admin connection) names.
    /// </summary>
    public static bool OnPostgres => Environment.GetEnvironmentVariable("B24MAIL_TEST_STORE") == "postgres";

    /// <summary>
    /// Makes the data folder; on PostgreSQL also DATA/b24mail.json, so the server, and commands or stores
    /// opened on its folder, use a fresh PostgreSQL database.
    /// </summary>
    /// <returns>The connection string of the database it created, or null if it created none.</returns>
    public static async Task<string?> PrepareDataDirAsync(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        if (!OnPostgres) return null;
        var settings = Path.Combine(dataDir, "b24mail.json");
        if (File.Exists(settings)) return null;
        var connection = await PostgresTestDatabase.CreateAsync();
        await File.WriteAllTextAsync(settings, System.Text.Json.JsonSerializer.Serialize(new { Postgres = connection, IconStore = "folder" }));
        return connection;
    }

    // The PostgreSQL database this server created for itself, dropped with it; one a test prepared is the test's.
    private string? _ownDatabase;

    private async Task BootAsync()
    {
        if (OnPostgres) _ownDatabase ??= await PrepareDataDirAsync(DataDir);
        // The rate limit is on by default; tests that are not about it would trip it, so they switch it off.
        var args = new List<string> { "--data", DataDir, "--urls", "https://127.0.0.1:0;http://127.0.0.1:0" };
        // An option given twice is a usage error, so a test's own --rate-limit replaces this one.
        if (!_extraArgs.Contains("--rate-limit")) args.AddRange(["--rate-limit", "false"]);
        args.AddRange(_extraArgs);
        _app = B24MailHost.Build(args.ToArray(), builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (_time is not null) builder.Services.AddSingleton(_time);
            _configure?.Invoke(builder);
        });
        Webhook = await B24MailHost.StartAsync(_app) ?? "";
        HttpsBase = _app.Urls.First(u => u.StartsWith("https://"));
        HttpBase = _app.Urls.First(u => u.StartsWith("http://"));
        Certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(DataDir, "tls", "server.crt"));
        var thumbprint = Certificate.Thumbprint;
        // Trust exactly the server's own certificate, as a client given --cacert would.
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == thumbprint };
        Client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Stops the server and starts it again on the same data folder, with other settings.</summary>
    public async Task RestartAsync(params string[] extraArgs)
    {
        _extraArgs = extraArgs;
        await RestartAsync();
    }

    public async Task RestartAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await BootAsync();
    }

    /// <summary>Adds a user to the default portal through the real identity store and returns its ID.</summary>
    public async Task<long> AddUserAsync(bool admin, string name = "Test")
    {
        var portal = await Services.GetRequiredService<IIdentityStore>().FindPortalAsync(Provisioning.DefaultPortal);
        var user = await Services.GetRequiredService<IIdentityStore>().AddUserAsync(portal!.Id, name, "", "", admin);
        return user.Id;
    }

    /// <summary>Makes a webhook for a user of the default portal and returns its HTTPS URL ending in '/'.</summary>
    public async Task<string> AddWebhookAsync(long userId, params string[] scopes)
    {
        var portal = await Services.GetRequiredService<IIdentityStore>().FindPortalAsync(Provisioning.DefaultPortal);
        var path = (await Services.GetRequiredService<Provisioning>().AddWebhookAsync(portal!, userId, scopes, "test")).Path;
        return HttpsBase + path;
    }

    public Task<RestResponse> GetAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    public Task<RestResponse> PostJsonAsync(string url, string json) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    public Task<RestResponse> PostJsonAsync(string url, object body) => PostJsonAsync(url, JsonSerializer.Serialize(body));

    public Task<RestResponse> PostFormAsync(string url, string urlencoded) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(urlencoded, Encoding.UTF8, "application/x-www-form-urlencoded") });

    public Task<RestResponse> PostMultipartAsync(string url, MultipartFormDataContent content) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = content });

    public async Task<RestResponse> SendAsync(HttpRequestMessage request)
    {
        var response = await Client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        return new RestResponse(response.StatusCode, raw, response);
    }

    /// <summary>Adds a service as the admin and returns its ID, failing the test if the add fails.</summary>
    public async Task<long> AddServiceAsync(object fields)
    {
        var response = await PostJsonAsync(Webhook + "mailservice.add", fields);
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return response.Result.GetInt64();
    }

    public async Task<JsonElement> GetServiceAsync(long id)
    {
        var response = await GetAsync(Webhook + "mailservice.get?ID=" + id);
        Assert.True(response.Status == HttpStatusCode.OK, response.Raw);
        return response.Result;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownDatabase is not null) await PostgresTestDatabase.DropAsync(_ownDatabase);
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One server shared by the tests of a class; tests that change shared state make their own rows.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public LiveServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await LiveServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
