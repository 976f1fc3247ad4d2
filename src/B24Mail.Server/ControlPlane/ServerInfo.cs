using System.Reflection;
using System.Text.Json;
using B24Mail.Rest.Identity;
using B24Mail.Storage;

namespace B24Mail.Server.ControlPlane;

/// <summary><c>GET /_b24mail/</c>: what this server is and which portals it holds, for a person or a console looking at it.</summary>
public static class ServerInfo
{
    public static string Version { get; } =
        typeof(ServerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static string Json(IReadOnlyList<Portal> portals, StorageOptions storage, ControlPlaneOptions options, TimeSpan uptime, string? webhookUrl)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", Version);
            json.WriteString("store", storage.OnPostgres ? "postgres" : "sqlite");
            json.WriteNumber("uptimeSeconds", Math.Round(uptime.TotalSeconds, 3));
            json.WriteString("clock", options.Clock);
            json.WriteNumber("journalSize", options.JournalSize);
            // The URL the start printed: the control plane is the operator's, who was shown it already.
            if (webhookUrl is null) json.WriteNull("webhookUrl");
            else json.WriteString("webhookUrl", webhookUrl);
            json.WriteStartArray("portals");
            foreach (var portal in portals) PortalEndpoints.Write(json, portal);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
