using B24Mail.Rest.Transport;

namespace B24Mail.Tests.Unit;

/// <summary>URL forms (docs/protocol.md §1.1–1.2, docs/decisions.md #22).</summary>
public class RestRouteTests
{
    [Fact]
    public void Webhook_path()
    {
        var route = RestRoute.Parse("/1/secret/mailservice.add");
        Assert.NotNull(route);
        Assert.Equal("mailservice.add", route.MethodName);
        Assert.Equal(ResponseFormat.Json, route.Format);
        Assert.Equal(new RestCredential.Webhook("1", "secret"), route.Webhook);
    }

    [Fact]
    public void Webhook_path_without_leading_slash()
    {
        var route = RestRoute.Parse("12/4l777m8lapmdaz1n/mailservice.list");
        Assert.NotNull(route);
        Assert.Equal("mailservice.list", route.MethodName);
        Assert.Equal("12", route.Webhook?.UserId);
        Assert.Equal("4l777m8lapmdaz1n", route.Webhook?.Secret);
    }

    [Fact]
    public void Method_only_path_has_no_webhook()
    {
        var route = RestRoute.Parse("/mailservice.add");
        Assert.NotNull(route);
        Assert.Equal("mailservice.add", route.MethodName);
        Assert.Equal(ResponseFormat.Json, route.Format);
        Assert.Null(route.Webhook);
    }

    [Theory]
    [InlineData("/mailservice.add.json", "mailservice.add", ResponseFormat.Json)]
    [InlineData("/mailservice.add.xml", "mailservice.add", ResponseFormat.Xml)]
    [InlineData("/mailservice.add.JSON", "mailservice.add", ResponseFormat.Json)]
    [InlineData("/mailservice.add.XML", "mailservice.add", ResponseFormat.Xml)]
    [InlineData("/1/secret/profile.json", "profile", ResponseFormat.Json)]
    [InlineData("/1/secret/profile.xml", "profile", ResponseFormat.Xml)]
    [InlineData("/1/secret/profile", "profile", ResponseFormat.Json)]
    public void Suffix_is_stripped_and_sets_format(string path, string method, ResponseFormat format)
    {
        var route = RestRoute.Parse(path);
        Assert.NotNull(route);
        Assert.Equal(method, route.MethodName);
        Assert.Equal(format, route.Format);
    }

    [Fact]
    public void Only_the_last_suffix_is_stripped()
    {
        var route = RestRoute.Parse("/a.xml.json");
        Assert.NotNull(route);
        Assert.Equal("a.xml", route.MethodName);
        Assert.Equal(ResponseFormat.Json, route.Format);
    }

    [Theory]
    [InlineData("/1/secret/crm.item.list/")]
    [InlineData("/1/secret//crm.item.list")]
    [InlineData("//1//secret//crm.item.list//")]
    [InlineData("/1/secret/crm.item.list.json/")]
    public void Trailing_and_repeated_slashes_are_tolerated(string path)
    {
        var route = RestRoute.Parse(path);
        Assert.NotNull(route);
        Assert.Equal("crm.item.list", route.MethodName);
        Assert.Equal(new RestCredential.Webhook("1", "secret"), route.Webhook);
    }

    [Fact]
    public void Trailing_slash_on_method_only_path()
    {
        var route = RestRoute.Parse("/mailservice.get.xml/");
        Assert.NotNull(route);
        Assert.Equal("mailservice.get", route.MethodName);
        Assert.Equal(ResponseFormat.Xml, route.Format);
        Assert.Null(route.Webhook);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("/1/secret")]
    [InlineData("/1/secret/")]
    [InlineData("/a/b/c/d")]
    [InlineData("/1/secret/mailservice.add/extra")]
    [InlineData("/.json")]
    [InlineData("/.xml")]
    [InlineData("/1/secret/.json")]
    public void Invalid_paths_give_null(string path)
    {
        Assert.Null(RestRoute.Parse(path));
    }

    [Theory]
    [InlineData("/profile.xml", ResponseFormat.Xml)]
    [InlineData("/profile.XML/", ResponseFormat.Xml)]
    [InlineData("/a/b/c/d.xml", ResponseFormat.Xml)]
    [InlineData("/1/secret/.xml", ResponseFormat.Xml)]
    [InlineData("/profile.json", ResponseFormat.Json)]
    [InlineData("/profile", ResponseFormat.Json)]
    [InlineData("", ResponseFormat.Json)]
    public void FormatOf_reads_suffix_even_without_method(string path, ResponseFormat format)
    {
        Assert.Equal(format, RestRoute.FormatOf(path));
    }
}
