using B24Mail.Server.Hosting;

namespace B24Mail.Tests.Unit;

public sealed class PublicAddressTests
{
    [Theory]
    [InlineData("https://+:5001")]
    [InlineData("https://*:5001")]
    [InlineData("https://0.0.0.0:5001")]
    [InlineData("https://[::]:5001")]
    public void A_wildcard_host_becomes_localhost(string url) =>
        Assert.Equal("https://localhost:5001", PublicAddress.BaseUrl([url]));

    [Fact]
    public void The_first_https_address_wins_over_an_earlier_http_one() =>
        Assert.Equal("https://mail.example.com:8443", PublicAddress.BaseUrl(["http://+:8080", "https://mail.example.com:8443", "https://other:9443"]));

    [Fact]
    public void Without_https_the_first_address_is_used() =>
        Assert.Equal("http://localhost:8080", PublicAddress.BaseUrl(["http://[::]:8080", "http://other:8081"]));

    [Theory]
    [InlineData("https://[::1]:5001/", "https://[::1]:5001")]
    [InlineData("https://127.0.0.1:5001", "https://127.0.0.1:5001")]
    [InlineData("https://mail.example.com:443", "https://mail.example.com")]
    [InlineData("https://+", "https://localhost")]
    public void A_specific_host_is_kept_and_a_default_port_or_trailing_slash_dropped(string url, string expected) =>
        Assert.Equal(expected, PublicAddress.BaseUrl([url]));
}
