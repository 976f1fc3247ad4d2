using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using B24Mail.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace B24Mail.Testing;

/// <summary>
/// The real b24mail server, started inside the test process on free loopback ports (HTTPS and HTTP). Nothing is
/// shared between two instances: each has its own data folder, ports, database file and services, so test classes
/// that xunit runs in parallel can each have one.
/// </summary>
public sealed class B24MailServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDataFolder;
    private readonly string? _webhook;

    private B24MailServer(WebApplication app, string dataFolder, bool ownsDataFolder, string? webhook)
    {
        _app = app;
        DataFolder = dataFolder;
        _ownsDataFolder = ownsDataFolder;
        _webhook = webhook;
        Origin = new Uri(app.Urls.First(u => u.StartsWith("https://", StringComparison.Ordinal)));
        HttpOrigin = new Uri(app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal)));
        CertificatePath = Path.Combine(dataFolder, "tls", "server.crt");
        Certificate = X509CertificateLoader.LoadCertificateFromFile(CertificatePath);
        Client = CreateClient();
        Control = new B24MailControl(CreateClient());
    }

    /// <summary>
    /// Starts a server: migrates its store, makes the first start's state (portal <c>default</c> with administrator 1,
    /// the preset services and an admin webhook, or <see cref="B24MailServerOptions.Seed"/>), and listens.
    /// </summary>
    public static async Task<B24MailServer> StartAsync(B24MailServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new B24MailServerOptions();
        var owns = options.DataFolder is null;
        var data = Path.GetFullPath(options.DataFolder ?? Path.Combine(Path.GetTempPath(), "b24mail-testing", Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(data);
        // Port 0: the system picks a free port for each listener, so parallel servers never collide.
        var args = new List<string> { "--data", data, "--urls", "https://127.0.0.1:0;http://127.0.0.1:0", "--rate-limit", options.RateLimit ? "true" : "false" };
        if (options.ManualClock) args.AddRange(["--clock", "manual"]);
        if (options.Postgres is not null) args.AddRange(["--postgres", options.Postgres]);
        if (options.Seed is not null) args.AddRange(["--seed", Path.GetFullPath(options.Seed)]);
        args.AddRange(options.Arguments);
        WebApplication? app = null;
        try
        {
            // Warnings only: the server's information lines would fill every test's output.
            app = B24MailHost.Build(args.ToArray(), builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
            cancellationToken.ThrowIfCancellationRequested();
            var webhook = await B24MailHost.StartAsync(app);
            return new B24MailServer(app, data, owns, webhook);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            if (owns) RemoveFolder(data);
            throw;
        }
    }

    /// <summary>The HTTPS origin, <c>https://127.0.0.1:PORT/</c>.</summary>
    public Uri Origin { get; }

    /// <summary>The plain HTTP origin (webhooks refuse it unless started with <c>--allow-http true</c>; the control plane answers on both).</summary>
    public Uri HttpOrigin { get; }

    /// <summary>The admin webhook of portal <c>default</c> made on first start (or the seed's first with a plain secret), ending in '/'.</summary>
    public string WebhookUrl => _webhook is null
        ? throw new InvalidOperationException("The state holds no webhook whose secret is known (the seed gives every secret as a hash).")
        : _webhook;

    public string DataFolder { get; }

    /// <summary>The server's self-signed certificate (PEM at <see cref="CertificatePath"/>), for clients given a CA file.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    /// <summary>A client that trusts exactly this server's certificate, with <see cref="Origin"/> as its base address. Disposed with the server.</summary>
    public HttpClient Client { get; }

    /// <summary>Typed helpers over the control plane (<c>/_b24mail/</c>): reset, state, journal, faults, clock, users, webhooks, apps.</summary>
    public B24MailControl Control { get; }

    /// <summary>
    /// A handler that trusts this server's self-signed certificate (the one presented must be this one, as with
    /// <c>curl --cacert</c>) besides what the system trusts. For clients (SDKs) that take their own handler.
    /// </summary>
    public HttpMessageHandler CreateHandler()
    {
        var thumbprint = Certificate.Thumbprint;
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None || (certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase)),
            },
        };
    }

    /// <summary>A new client trusting this server's certificate, with <see cref="Origin"/> as its base address; yours to dispose.</summary>
    public HttpClient CreateClient() => new(CreateHandler()) { BaseAddress = Origin, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Stops the server and removes the temporary data folder it made (a folder you gave it is left).</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Control.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
        if (_ownsDataFolder) RemoveFolder(DataFolder);
    }

    private static void RemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (a SQLite handle closing late) leaves a folder in the system's temporary folder, not a failed test.
        }
    }
}
