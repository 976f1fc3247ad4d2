using System.Net;

namespace B24Mail.Tests.EndToEnd;

/// <summary>mailservice.list (docs/decisions.md #11, #12): presets, order, active only, params ignored, empty = error.</summary>
public sealed class ListTests
{
    [Fact]
    public async Task A_new_portal_lists_the_eight_presets_in_order()
    {
        await using var server = await LiveServer.StartAsync();
        var response = await server.GetAsync(server.Webhook + "mailservice.list");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var rows = response.Result.EnumerateArray().ToList();
        Assert.Equal(["gmail", "outlook.com", "icloud", "office365", "exchange", "yahoo", "aol", "other"], rows.Select(r => r.GetProperty("NAME").GetString()));
        Assert.Equal(["100", "200", "300", "400", "500", "600", "700", "800"], rows.Select(r => r.GetProperty("SORT").GetString()));
        Assert.Equal("imap.gmail.com", rows[0].GetProperty("SERVER").GetString());
        Assert.Equal("993", rows[0].GetProperty("PORT").GetString());
        Assert.Equal("Y", rows[0].GetProperty("ENCRYPTION").GetString());
        Assert.Equal("", rows[4].GetProperty("SERVER").GetString());
        Assert.False(response.Json.TryGetProperty("next", out _));
        Assert.False(response.Json.TryGetProperty("total", out _));
    }

    [Fact]
    public async Task List_orders_by_sort_then_name_then_id_and_ignores_parameters()
    {
        await using var server = await LiveServer.StartAsync("--presets", "false");
        var b1 = await server.AddServiceAsync(new { NAME = "b", SORT = 10 });
        var a = await server.AddServiceAsync(new { NAME = "a", SORT = 10 });
        var b2 = await server.AddServiceAsync(new { NAME = "b", SORT = 10 });
        var first = await server.AddServiceAsync(new { NAME = "z", SORT = 0 });
        await server.AddServiceAsync(new { NAME = "inactive", SORT = 1, ACTIVE = "N" });
        var response = await server.PostJsonAsync(server.Webhook + "mailservice.list", """{"start":1,"filter":{">ID":100},"order":{"ID":"DESC"}}""");
        var ids = response.Result.EnumerateArray().Select(r => long.Parse(r.GetProperty("ID").GetString()!)).ToList();
        Assert.Equal([first, a, b1, b2], ids);
    }

    [Fact]
    public async Task An_empty_list_is_the_documented_error()
    {
        await using var server = await LiveServer.StartAsync("--presets", "false");
        MailServiceMethodTests.AssertCoreError(await server.GetAsync(server.Webhook + "mailservice.list"), "No mail services found");
        var id = await server.AddServiceAsync(new { NAME = "only inactive", ACTIVE = "N" });
        MailServiceMethodTests.AssertCoreError(await server.GetAsync(server.Webhook + "mailservice.list"), "No mail services found");
        await server.PostJsonAsync(server.Webhook + "mailservice.update", new { ID = id, ACTIVE = "Y" });
        Assert.Equal(1, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetArrayLength());
    }
}
