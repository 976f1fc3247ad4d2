using B24Mail.Rest.Identity;

namespace B24Mail.Server.ControlPlane.Faults;

/// <summary><c>/_b24mail/faults</c>: add a rule, list the rules with how often each fired, remove one or all.</summary>
public static class FaultEndpoints
{
    public static void MapFaults(this RouteGroupBuilder group)
    {
        group.MapGet("/faults", async (FaultStore store, CancellationToken cancellationToken) => Results.Text(List(await store.ListAsync(cancellationToken)), "application/json"));

        group.MapPost("/faults", async (HttpRequest request, FaultStore store, IIdentityStore identity, CancellationToken cancellationToken) =>
        {
            var (document, problem) = await RequestJson.ReadAsync(request, cancellationToken);
            if (problem is not null) return problem;
            using var _ = document;
            var codes = (await identity.ListPortalsAsync(cancellationToken)).Select(p => p.Code).ToHashSet(StringComparer.Ordinal);
            var (rule, problems) = FaultRuleRequest.Parse(document!.RootElement, codes.Contains);
            if (rule is null) return Problem.Of(StatusCodes.Status400BadRequest, "The fault rule is refused.", problems);
            var added = await store.AddAsync(rule);
            return Results.Text(RequestJson.Write(added.Write), "application/json", statusCode: StatusCodes.Status201Created);
        });

        group.MapDelete("/faults/{id}", async (string id, FaultStore store) =>
            long.TryParse(id, out var number) && await store.RemoveAsync(number)
                ? Results.NoContent()
                : Problem.Of(StatusCodes.Status404NotFound, $"No fault rule '{id}'."));

        group.MapDelete("/faults", async (FaultStore store) =>
        {
            var removed = await store.ClearAsync();
            return Results.Text(RequestJson.Write(json =>
            {
                json.WriteStartObject();
                json.WriteNumber("removed", removed);
                json.WriteEndObject();
            }), "application/json");
        });
    }

    private static string List(IReadOnlyList<FaultRule> rules) => RequestJson.Write(json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("rules");
        foreach (var rule in rules) rule.Write(json);
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
