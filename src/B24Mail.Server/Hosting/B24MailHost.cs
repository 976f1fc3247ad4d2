using B24Mail.MailServices;
using B24Mail.MailServices.Icons;
using B24Mail.MailServices.Storage;
using B24Mail.Rest;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Limits;
using B24Mail.Rest.Health;
using B24Mail.Rest.OAuth;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Transport;
using B24Mail.Server.ControlPlane;
using B24Mail.Storage;
using B24Mail.Storage.Identity;
using B24Mail.Storage.Limits;
using B24Mail.Storage.Postgres;
using B24Mail.Storage.Sqlite;
using B24Mail.Storage.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace B24Mail.Server.Hosting;

/// <summary>Builds the server. Program.cs and the end-to-end tests both start it through here.</summary>
public static class B24MailHost
{
    /// <summary>
    /// Settings from, in rising precedence: <c>DATA/b24mail.json</c> (settings that belong to a data folder,
    /// such as its PostgreSQL connection, so commands run on that folder use the same store), the
    /// environment (<c>B24MAIL_*</c>), and the command line.
    /// </summary>
    public static IConfigurationBuilder AddB24MailSources(this IConfigurationBuilder configuration, IReadOnlyDictionary<string, string?> commandLine)
    {
        var direct = new ConfigurationBuilder().AddEnvironmentVariables("B24MAIL_").AddInMemoryCollection(commandLine).Build();
        var data = Path.GetFullPath(direct["Data"] ?? new StorageOptions().Data);
        return configuration
            .AddJsonFile(Path.Combine(data, "b24mail.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables("B24MAIL_")
            .AddInMemoryCollection(commandLine);
    }

    /// <summary>The same from a command line of settings only (<c>--data DIR --rate-limit false</c>).</summary>
    public static IConfigurationBuilder AddB24MailSources(this IConfigurationBuilder configuration, string[] args) =>
        configuration.AddB24MailSources(SettingOptions.Read(args));

    /// <summary>
    /// Every module, each binding and checking its own options from the one configuration: the server and
    /// the commands use the same set, so a command sees the settings the server does.
    /// </summary>
    public static IServiceCollection AddB24MailModules(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = ServerSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddControlPlaneClock(configuration);
        services.AddB24MailStorage(configuration);
        services.AddBitrixRest(configuration);
        services.AddMailServiceScope(configuration);
        services.AddControlPlane(configuration);
        services.AddSingleton<Provisioning>();
        services.AddSingleton<PortalAdmin>();
        return services;
    }

    /// <summary>The database and the stores on it; which ones depends on the storage settings, so those are checked here.</summary>
    public static IServiceCollection AddB24MailStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = new StorageOptions();
        configuration.Bind(storage);
        if (storage.Problem() is { } problem) throw new OptionsValidationException(nameof(StorageOptions), typeof(StorageOptions), [problem]);
        DataFolder.EnsureWritable(storage.DataPath);
        services.AddSingleton(Options.Create(storage));
        services.AddSingleton(storage);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<IDatabase>(sp => storage.OnPostgres
            ? new PostgresDatabase(storage.Postgres!, sp.GetRequiredService<StorageHealth>(), sp.GetService<ILogger<PostgresDatabase>>())
            : new SqliteDatabase(storage.DatabasePath, sp.GetRequiredService<StorageHealth>()));
        services.AddSingleton<SqlIdentityStore>();
        services.AddSingleton<IIdentityStore>(sp => sp.GetRequiredService<SqlIdentityStore>());
        services.AddSingleton<IOAuthStore, SqlOAuthStore>();
        // The state document: the identity part here, each scope adds its own IStateSection.
        services.AddSingleton<IdentityState>();
        services.AddSingleton<StateStore>();
        // One node keeps limits in memory; nodes sharing PostgreSQL share them through it.
        if (storage.OnPostgres)
        {
            services.AddSingleton<SqlLimitStore>();
            services.AddSingleton<ILimitStore>(sp => sp.GetRequiredService<SqlLimitStore>());
            // The reads of one request share one read of the database's change count (see PostgresDatabase).
            services.AddSingleton<IRequestScope>(sp => (PostgresDatabase)sp.GetRequiredService<IDatabase>());
        }
        else
        {
            services.AddSingleton<ILimitStore, MemoryLimitStore>();
            // The reads of one request share one freshness check of SQLite's read cache.
            services.AddSingleton<IRequestScope>(sp => (SqliteDatabase)sp.GetRequiredService<IDatabase>());
        }
        return services;
    }

    /// <summary>Checks every module's options before anything is served or written through them.</summary>
    public static void ValidateOptions(IServiceProvider services) => services.GetService<IStartupValidator>()?.Validate();

    public static async Task MigrateAsync(IServiceProvider services)
    {
        await services.GetRequiredService<SqlIdentityStore>().MigrateAsync();
        await services.GetRequiredService<IMailServiceStore>().MigrateAsync();
        if (services.GetService<SqlLimitStore>() is { } limits) await limits.MigrateAsync();
        await services.GetRequiredService<StateStore>().MigrateAsync();
        await ControlPlaneModule.MigrateAsync(services);
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        Build(SettingOptions.Read(args), configure);

    /// <param name="commandLine">The settings the command line gave, by configuration key.</param>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> commandLine, Action<WebApplicationBuilder>? configure = null)
    {
        // The slim builder loads fewer assemblies; HTTPS is added back. Reloading configuration on change
        // would watch the content root, and the data folder is often inside it: every SQLite write would wake it.
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Configuration.AddB24MailSources(commandLine);
        var settings = ServerSettings.From(builder.Configuration);
        // ASP.NET Core's request logs carry the path, and a webhook path carries its secret.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])) builder.WebHost.UseUrls(SettingOptions.DefaultUrls.Split(';'));
        builder.Services.AddB24MailModules(builder.Configuration);
        builder.Services.AddHostedService<ExpirySweeper>();
        configure?.Invoke(builder);
        // After configure, so a test's own OTEL_* settings count; only the server exports, commands do not.
        builder.Services.AddB24MailMetrics(builder.Configuration, scrape: builder.Configuration.GetValue("ControlPlane", true));

        // The data folder is checked by the storage module before anything is made in it (the certificate is next).
        var certificate = TlsCertificate.Load(settings, TimeProvider.System);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form => form.MultipartBodyLengthLimit = settings.MaxBodyBytes);

        var forwarding = ForwardedHeaderOptions(settings);
        var app = builder.Build();
        ValidateOptions(app.Services);
        app.UseHostHeaderLimit();
        // Behind a TLS proxy the request reaches us over HTTP: X-Forwarded-Proto from a trusted proxy
        // decides the HTTPS rule, X-Forwarded-For the client IP of the rate limit.
        if (forwarding is not null) app.UseForwardedHeaders(forwarding);
        app.UseStorageFailureResponses();
        var health = app.Services.GetRequiredService<StorageHealth>();
        // A balancer takes a node whose writes fail out of service; the body says why, for whoever looks.
        app.MapGet("/health", () => health.Condition is { } condition
            ? Results.Text("storage unavailable: " + condition, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("OK"));
        app.MapBitrixOAuth();
        app.MapMailServiceIcons();
        app.MapBitrixRest();
        app.MapControlPlane();
        return app;
    }

    private static ForwardedHeadersOptions? ForwardedHeaderOptions(ServerSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.TrustedProxies)) return null;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in settings.TrustedProxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (System.Net.IPNetwork.TryParse(entry, out var network)) options.KnownIPNetworks.Add(network);
            else if (System.Net.IPAddress.TryParse(entry, out var address)) options.KnownProxies.Add(address);
            else throw new ArgumentException($"--trusted-proxies: '{entry}' is not an address or CIDR range.");
        }
        return options;
    }

    /// <summary>
    /// Migrates, makes the first start's state (the default portal, or the <c>--seed</c> document) unless there is one,
    /// and starts listening; returns the bootstrap webhook URL, or null when the state holds no webhook whose secret is known.
    /// </summary>
    public static async Task<string?> StartAsync(WebApplication app)
    {
        await MigrateAsync(app.Services);
        if (app.Services.GetRequiredService<IIconBlobStore>() is DiskIconBlobStore icons)
        {
            icons.RemoveStaleTemporaryFiles(app.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        }
        var webhookPath = await app.Services.GetRequiredService<Provisioning>().FirstStartAsync();
        await app.StartAsync();
        app.Services.GetRequiredService<StorageHealth>().Serving();
        return webhookPath is null ? null : HttpsBase(app) + webhookPath;
    }

    /// <summary>The first HTTPS address Kestrel listens on (or HTTP if there is none), with a wildcard host as localhost.</summary>
    public static string HttpsBase(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return PublicAddress.BaseUrl(addresses);
    }
}
