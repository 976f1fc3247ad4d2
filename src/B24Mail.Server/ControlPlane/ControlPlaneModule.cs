using B24Mail.Rest.Common;
using B24Mail.Rest.Faults;
using B24Mail.Rest.Identity;
using B24Mail.Server.ControlPlane.Clock;
using B24Mail.Server.ControlPlane.Faults;
using B24Mail.Server.ControlPlane.Accounts;
using B24Mail.Rest.Transport;
using B24Mail.Server.ControlPlane.Journal;
using B24Mail.Server.ControlPlane.WebConsole;
using B24Mail.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using B24Mail.Storage;

namespace B24Mail.Server.ControlPlane;

/// <summary>
/// The control plane under <c>/_b24mail/</c>: what makes the server an emulator a test suite can drive (state,
/// reset, journal, faults, clock). It is a client of the same stores and clock as the REST API, and each of its
/// features maps its own routes onto the one group, which <see cref="ControlPlaneAccess"/> guards.
/// </summary>
public static class ControlPlaneModule
{
    public const string Prefix = "/_b24mail";

    public static IServiceCollection AddControlPlane(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ControlPlaneOptions>().Bind(configuration)
            .Validate(o => o.JournalSize >= 0, "--journal-size (B24MAIL_JOURNALSIZE) takes 0 (off) or a positive number of calls.")
            .Validate(o => o.Clock is "system" or "manual", "--clock (B24MAIL_CLOCK) takes system or manual.")
            .Validate(o => o.AdminKey is null || o.AdminKey.Length >= 16, "--admin-key (B24MAIL_ADMINKEY) takes at least 16 characters.")
            .Offered();
        // The state document is also the commands' (state import, reset) and the seed's, with or without the control plane.
        services.AddSingleton<StateControl>();
        var bound = new ControlPlaneOptions();
        configuration.Bind(bound);
        // Without the control plane no rule can be added and no journal read, so calls neither ask nor record.
        if (!bound.ControlPlane) return services;
        services.AddSingleton<FaultStore>();
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<IFaultHook>(sp => sp.GetRequiredService<FaultInjector>());
        services.AddSingleton<IResetWithState>(sp => sp.GetRequiredService<FaultInjector>());
        services.AddSingleton<RequestJournal>();
        services.AddSingleton<IRestRecorder>(sp => sp.GetRequiredService<RequestJournal>());
        services.AddSingleton<IResetWithState>(sp => sp.GetRequiredService<RequestJournal>());
        return services;
    }

    /// <summary>
    /// Under <c>--clock manual</c> the server's <see cref="TimeProvider"/> is a <see cref="ManualClock"/>; registered
    /// before the storage module, which adds the system clock only when no clock was registered.
    /// </summary>
    public static IServiceCollection AddControlPlaneClock(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration["Clock"] != "manual") return services;
        services.AddSingleton<ManualClock>();
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<ManualClock>());
        services.AddSingleton<ManualClockStore>();
        return services;
    }

    /// <summary>The control plane's own tables: the fault rules and, under a manual clock, its stored time.</summary>
    public static async Task MigrateAsync(IServiceProvider services)
    {
        if (services.GetService<FaultStore>() is { } faults) await faults.MigrateAsync();
        if (services.GetService<ManualClockStore>() is { } clock) await clock.MigrateAsync();
    }

    public static void MapControlPlane(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ControlPlaneOptions>();
        if (!options.ControlPlane) return;
        app.UseMiddleware<ControlPlaneAccess>();
        // The console's files are outside the group: a page loads for anyone, and its API calls are what the rule guards.
        app.MapConsole();
        var group = app.MapGroup(Prefix).WithMetadata(ControlPlaneEndpoint.Instance);
        var started = app.Services.GetRequiredService<TimeProvider>().GetTimestamp();
        group.MapGet("/", async (IIdentityStore identity, StorageOptions storage, TimeProvider time, Provisioning provisioning, IServer server, CancellationToken cancellationToken) =>
        {
            var webhookUrl = provisioning.BootstrapPath() is { } path ? AdminResults.BaseUrl(server) + path : null;
            return Results.Text(ServerInfo.Json(await identity.ListPortalsAsync(cancellationToken), storage, options, time.GetElapsedTime(started), webhookUrl), "application/json");
        });
        group.MapJournal();
        group.MapMetrics();
        group.MapGet("/openapi.json", () => Results.Stream(OpenApiDocument.Open(), "application/json"));
        group.MapFaults();
        group.MapPortals();
        group.MapUsers();
        group.MapWebhooks();
        group.MapApps();
        group.MapCalls();
        if (options.ManualClock) group.MapClock();
        group.MapState();
    }
}
