using B24Mail.Rest.Common;
using B24Mail.Rest.Identity;
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
        services.AddSingleton<StateControl>();
        return services;
    }

    public static void MapControlPlane(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ControlPlaneOptions>();
        if (!options.ControlPlane) return;
        app.UseMiddleware<ControlPlaneAccess>();
        var group = app.MapGroup(Prefix).WithMetadata(ControlPlaneEndpoint.Instance);
        var started = app.Services.GetRequiredService<TimeProvider>().GetTimestamp();
        group.MapGet("/", async (IIdentityStore identity, StorageOptions storage, TimeProvider time, CancellationToken cancellationToken) =>
            Results.Text(ServerInfo.Json(await identity.ListPortalsAsync(cancellationToken), storage, options, time.GetElapsedTime(started)), "application/json"));
        group.MapGet("/openapi.json", () => Results.Stream(OpenApiDocument.Open(), "application/json"));
        group.MapState();
    }
}
