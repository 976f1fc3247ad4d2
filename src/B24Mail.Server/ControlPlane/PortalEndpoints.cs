using System.Text.Json;
using B24Mail.Rest.Identity;

namespace B24Mail.Server.ControlPlane;

/// <summary>
/// <c>POST /_b24mail/portals/{code}</c>: changes a portal's state (docs/decisions.md #31), licence type or language,
/// as <c>portal set</c> does. Every key is checked before anything is written, so a refused body changes nothing.
/// </summary>
public static class PortalEndpoints
{
    private static readonly string[] Keys = ["state", "license", "language"];

    public static void MapPortals(this RouteGroupBuilder group)
    {
        group.MapPost("/portals/{code}", async (string code, HttpRequest request, IIdentityStore identity, CancellationToken cancellationToken) =>
        {
            var (document, problem) = await RequestJson.ReadAsync(request, cancellationToken);
            if (problem is not null) return problem;
            using var _ = document;
            var body = document!.RootElement;
            var portal = await identity.FindPortalAsync(code, cancellationToken);
            if (portal is null) return Problem.Of(StatusCodes.Status404NotFound, $"No portal '{code}'.");
            var problems = new List<ProblemItem>();
            if (body.ValueKind != JsonValueKind.Object) return Problem.Of(StatusCodes.Status400BadRequest, "The body is a JSON object.", [new("$", "An object with state, license or language.")]);
            foreach (var property in body.EnumerateObject())
            {
                if (!Keys.Contains(property.Name)) problems.Add(new("$." + property.Name, "Unknown key; a portal takes state, license, language."));
            }
            var state = portal.State;
            if (Text(body, "state") is { } stateText && !PortalStates.TryParse(stateText.Value, out state)) problems.Add(new("$.state", "active, blocked, free or closed."));
            var license = Text(body, "license");
            if (license is { } l && (l.Value is null || !Licence.IsValidType(l.Value))) problems.Add(new("$.license", $"A licence type of one of the families {string.Join(", ", Licence.Families)} (pro, ent10000)."));
            var language = Text(body, "language");
            if (language is { } g && (g.Value is null || !Licence.IsValidLanguage(g.Value))) problems.Add(new("$.language", "A two-letter language code in lower case (en, de)."));
            if (problems.Count == 0 && body.EnumerateObject().Any() is false) problems.Add(new("$", "Nothing to change: give state, license or language."));
            if (problems.Count > 0) return Problem.Of(StatusCodes.Status400BadRequest, "The portal change is refused.", problems);

            if (state != portal.State) await identity.SetPortalStateAsync(portal.Id, state, cancellationToken);
            if (license is not null || language is not null)
            {
                await identity.SetPortalLicenseAsync(portal.Id, license?.Value ?? portal.LicenseType, language?.Value ?? portal.Language, cancellationToken);
            }
            var changed = await identity.FindPortalAsync(code, cancellationToken);
            return Results.Text(RequestJson.Write(json => Write(json, changed!)), "application/json");
        });
    }

    /// <summary>A key that is present: its text, or null inside when it is not a string.</summary>
    private static Holder? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) ? new Holder(value.ValueKind == JsonValueKind.String ? value.GetString() : null) : null;

    private sealed record Holder(string? Value);

    public static void Write(Utf8JsonWriter json, Portal portal)
    {
        json.WriteStartObject();
        json.WriteString("code", portal.Code);
        json.WriteString("domain", portal.Domain);
        json.WriteString("memberId", portal.MemberId);
        json.WriteString("license", portal.LicenseType);
        json.WriteString("language", portal.Language);
        json.WriteString("state", PortalStates.Text(portal.State));
        json.WriteEndObject();
    }
}
