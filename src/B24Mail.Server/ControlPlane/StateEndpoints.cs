using System.Data.Common;
using System.Text.Json;
using B24Mail.Rest.Health;
using B24Mail.Server.Hosting;
using B24Mail.Storage;
using B24Mail.Storage.State;

namespace B24Mail.Server.ControlPlane;

/// <summary>
/// <c>GET</c>/<c>POST /_b24mail/state</c> (export, replace the whole state), <c>POST /_b24mail/reset</c> and
/// <c>POST /_b24mail/portals/{code}/reset</c>. A refused document answers 400 with one entry per problem, each
/// at its JSON path, and nothing changed.
/// </summary>
public static class StateEndpoints
{
    public static void MapState(this RouteGroupBuilder group)
    {
        group.MapGet("/state", async (StateStore state) => Results.Bytes(await state.ExportAsync(), "application/json"));

        group.MapPost("/state", async (HttpContext http, StateStore state, StateControl control, ServerSettings settings) =>
        {
            var (body, tooLarge) = await RequestJson.ReadBytesAsync(http.Request, settings.MaxBodyBytes, http.RequestAborted, "--max-body-bytes");
            if (tooLarge is not null) return tooLarge;
            StateDocument document;
            try
            {
                // No folder: over the API a logo comes as base64, never as a path on the server.
                document = state.Read(body, folder: null);
            }
            catch (StateDocumentException refused)
            {
                return Problem.Of(StatusCodes.Status400BadRequest, "The state document was refused; nothing was changed.",
                    refused.Errors.Select(e => new ProblemItem(e.Path, e.Message)).ToList());
            }
            await control.ReplaceAsync(document, http.RequestAborted);
            return Results.Bytes(await state.ExportAsync(), "application/json");
        });

        group.MapPost("/reset", async (StateControl control, CancellationToken cancellationToken) =>
        {
            try
            {
                var outcome = await control.ResetAsync(null, cancellationToken);
                return Json(outcome!);
            }
            catch (DbException exception) when (!StorageHealth.IsReported(exception) && StorageFailures.Condition(exception) is null)
            {
                return Problem.Of(StatusCodes.Status409Conflict, "The reset conflicts with the present state, and nothing was changed: " + exception.Message);
            }
        });

        group.MapPost("/portals/{code}/reset", async (string code, StateControl control, CancellationToken cancellationToken) =>
        {
            ResetOutcome? outcome;
            try
            {
                outcome = await control.ResetAsync(code, cancellationToken);
            }
            catch (DbException exception) when (!StorageHealth.IsReported(exception) && StorageFailures.Condition(exception) is null)
            {
                return Problem.Of(StatusCodes.Status409Conflict, $"The reset of portal '{code}' conflicts with another portal's rows, and nothing was changed: " + exception.Message);
            }
            if (outcome is null) return Problem.Of(StatusCodes.Status404NotFound, $"No portal '{code}'.");
            if (outcome.Reset.Count == 0)
            {
                return Problem.Of(StatusCodes.Status409Conflict, $"Portal '{code}' was added after the baseline, so there is nothing to return it to; POST /_b24mail/reset removes it.");
            }
            return Json(outcome);
        });
    }

    private static IResult Json(ResetOutcome outcome)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("reset");
            foreach (var code in outcome.Reset) json.WriteStringValue(code);
            json.WriteEndArray();
            json.WriteStartArray("removed");
            foreach (var code in outcome.Removed) json.WriteStringValue(code);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Results.Bytes(buffer.ToArray(), "application/json");
    }
}
