using System.Net;
using System.Text.Json;

namespace B24Mail.Tests.EndToEnd;

/// <summary>
/// A batch of lists: each command's rows are written as <c>list</c> writes them, and a later command can refer
/// into them (<c>$result[all][0][ID]</c>) although they are kept unshaped until the answer is written.
/// </summary>
public sealed class BatchOfListsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LiveServer Server => fixture.Server;

    [Fact]
    public async Task References_walk_into_list_rows_and_every_list_is_written_whole()
    {
        var list = await Server.GetAsync(Server.Webhook + "mailservice.list");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        var rows = list.Result.EnumerateArray().ToArray();
        var commands = new Dictionary<string, string> { ["all"] = "mailservice.list", ["first"] = "mailservice.get?ID=$result[all][0][ID]" };
        for (var i = 0; i < 40; i++) commands["again" + i] = "mailservice.list";
        var batch = await Server.PostJsonAsync(Server.Webhook + "batch", new { cmd = commands });
        Assert.True(batch.Status == HttpStatusCode.OK, batch.Raw);
        var results = batch.Result.GetProperty("result");
        Assert.Equal(rows[0].GetProperty("ID").GetString(), results.GetProperty("first").GetProperty("ID").GetString());
        foreach (var name in new[] { "all", "again0", "again39" })
        {
            Assert.Equal(list.Result.GetRawText(), results.GetProperty(name).GetRawText());
        }
        Assert.Equal(JsonValueKind.Array, batch.Result.GetProperty("result_error").ValueKind);
    }

    [Fact]
    public async Task A_list_row_comes_out_the_same_in_xml()
    {
        var xml = await Server.GetAsync(Server.Webhook + "mailservice.list.xml");
        Assert.Equal(HttpStatusCode.OK, xml.Status);
        Assert.Contains("<item><ID>1</ID><SITE_ID>s1</SITE_ID>", xml.Raw);
    }
}
