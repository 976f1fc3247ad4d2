using System.Text;
using System.Text.Json;

namespace B24Mail.Server.ControlPlane.Journal;

/// <summary><c>/_b24mail/requests</c>: read (newest first, filtered), clear, and follow as Server-Sent Events.</summary>
public static class JournalEndpoints
{
    /// <summary>A comment line this often keeps proxies and clients from closing a quiet stream.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private const string Off = "The request journal is off (--journal-size 0).";

    public static void MapJournal(this RouteGroupBuilder group)
    {
        group.MapGet("/requests", (HttpContext http, RequestJournal journal) =>
        {
            if (!journal.IsOn) return Problem.Of(StatusCodes.Status404NotFound, Off);
            var (filter, problem) = JournalFilter.Parse(http.Request.Query);
            if (filter is null) return Problem.Of(StatusCodes.Status400BadRequest, problem!);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
            using (var json = new Utf8JsonWriter(buffer, JournalJson.Options))
            {
                json.WriteStartObject();
                json.WriteNumber("size", journal.Size);
                json.WriteNumber("dropped", journal.Dropped);
                json.WriteStartArray("requests");
                var written = 0;
                foreach (var entry in journal.Snapshot())
                {
                    if (written >= (filter.Limit ?? int.MaxValue)) break;
                    if (!filter.Matches(entry)) continue;
                    JournalJson.Write(json, entry);
                    written++;
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json");
        });
        group.MapDelete("/requests", (RequestJournal journal) =>
        {
            if (!journal.IsOn) return Problem.Of(StatusCodes.Status404NotFound, Off);
            journal.Clear();
            return Results.NoContent();
        });
        group.MapGet("/requests/stream", async (HttpContext http, RequestJournal journal) =>
        {
            if (!journal.IsOn)
            {
                await Problem.WriteAsync(http, StatusCodes.Status404NotFound, Off);
                return;
            }
            await StreamAsync(http, journal);
        });
    }

    private static async Task StreamAsync(HttpContext http, RequestJournal journal)
    {
        var aborted = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        var channel = journal.Subscribe();
        try
        {
            await http.Response.Body.WriteAsync(": b24mail request journal\n\n"u8.ToArray(), aborted);
            await http.Response.Body.FlushAsync(aborted);
            Task<bool>? waiting = null;
            Task? beat = null;
            while (!aborted.IsCancellationRequested)
            {
                waiting ??= channel.Reader.WaitToReadAsync(aborted).AsTask();
                // The heartbeat is wall time even under a manual clock: it is about the connection, not the emulated portal.
                beat ??= Task.Delay(Heartbeat, TimeProvider.System, aborted);
                if (await Task.WhenAny(waiting, beat) != waiting)
                {
                    beat = null;
                    await http.Response.Body.WriteAsync(": heartbeat\n\n"u8.ToArray(), aborted);
                    await http.Response.Body.FlushAsync(aborted);
                    continue;
                }
                if (!await waiting) break;
                waiting = null;
                while (channel.Reader.TryRead(out var entry))
                {
                    var head = Encoding.UTF8.GetBytes($"id: {entry.Id}\nevent: request\ndata: ");
                    await http.Response.Body.WriteAsync(head, aborted);
                    await http.Response.Body.WriteAsync(JournalJson.ToBytes(entry), aborted);
                    await http.Response.Body.WriteAsync("\n\n"u8.ToArray(), aborted);
                }
                await http.Response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        finally
        {
            journal.Unsubscribe(channel);
        }
    }
}
