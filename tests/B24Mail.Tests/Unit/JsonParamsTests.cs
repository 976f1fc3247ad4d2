using System.Text;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

/// <summary>JSON bodies (docs/protocol.md §2.1, docs/decisions.md #22).</summary>
public class JsonParamsTests
{
    private static PhpArray? Parse(string json) => JsonParams.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Object_becomes_php_array_in_order()
    {
        var tree = Parse("{\"NAME\":\"Gmail\",\"fields\":{\"SORT\":\"10\",\"ACTIVE\":\"Y\"}}");
        Assert.NotNull(tree);
        Assert.Equal(new[] { "NAME", "fields" }, tree.Keys);
        Assert.Equal("Gmail", tree["NAME"]);
        var fields = Assert.IsType<PhpArray>(tree["fields"]);
        Assert.Equal(new[] { "SORT", "ACTIVE" }, fields.Keys);
        Assert.Equal("10", fields["SORT"]);
        Assert.Equal("Y", fields["ACTIVE"]);
    }

    [Fact]
    public void Empty_object_and_empty_array_are_empty_trees()
    {
        var obj = Parse("{}");
        Assert.NotNull(obj);
        Assert.Equal(0, obj.Count);
        var arr = Parse("[]");
        Assert.NotNull(arr);
        Assert.Equal(0, arr.Count);
    }

    [Fact]
    public void Array_root_gives_positional_list_keys()
    {
        var tree = Parse("[123,{\"POST_MESSAGE\":\"hi\"}]");
        Assert.NotNull(tree);
        Assert.Equal(new[] { "0", "1" }, tree.Keys);
        Assert.True(tree.IsList);
        Assert.Equal(123L, tree["0"]);
        Assert.Equal("hi", Assert.IsType<PhpArray>(tree["1"])["POST_MESSAGE"]);
    }

    [Fact]
    public void Nested_arrays_are_lists()
    {
        var tree = Parse("{\"select\":[\"ID\",\"NAME\"]}");
        Assert.NotNull(tree);
        var select = Assert.IsType<PhpArray>(tree["select"]);
        Assert.Equal(new[] { "0", "1" }, select.Keys);
        Assert.Equal("ID", select["0"]);
        Assert.Equal("NAME", select["1"]);
    }

    [Fact]
    public void Json_types_are_kept()
    {
        var tree = Parse("{\"i\":993,\"neg\":-5,\"d\":1.5,\"t\":true,\"f\":false,\"n\":null,\"s\":\"993\"}");
        Assert.NotNull(tree);
        Assert.Equal(993L, Assert.IsType<long>(tree["i"]));
        Assert.Equal(-5L, Assert.IsType<long>(tree["neg"]));
        Assert.Equal(1.5, Assert.IsType<double>(tree["d"]));
        Assert.True(Assert.IsType<bool>(tree["t"]));
        Assert.False(Assert.IsType<bool>(tree["f"]));
        Assert.True(tree.ContainsKey("n"));
        Assert.Null(tree["n"]);
        Assert.Equal("993", Assert.IsType<string>(tree["s"]));
    }

    [Fact]
    public void Number_with_fraction_or_exponent_or_out_of_long_range_is_double()
    {
        // PHP json_decode: an int when the literal is an integer that fits, a float otherwise.
        var tree = Parse("{\"a\":5.0,\"b\":1e2,\"c\":9223372036854775808,\"d\":9223372036854775807}");
        Assert.NotNull(tree);
        Assert.Equal(5.0, Assert.IsType<double>(tree["a"]));
        Assert.Equal(100.0, Assert.IsType<double>(tree["b"]));
        Assert.Equal(9223372036854775808.0, Assert.IsType<double>(tree["c"]));
        Assert.Equal(long.MaxValue, Assert.IsType<long>(tree["d"]));
    }

    [Fact]
    public void Duplicate_keys_last_wins()
    {
        var tree = Parse("{\"a\":1,\"b\":2,\"a\":3}");
        Assert.NotNull(tree);
        Assert.Equal(new[] { "a", "b" }, tree.Keys);
        Assert.Equal(3L, tree["a"]);
    }

    [Fact]
    public void Unicode_strings_and_escapes_decode()
    {
        var tree = Parse("{\"NAME\":\"\\u041f\\u043e\\u0447\\u0442\\u0430\",\"raw\":\"Привет 😀\",\"esc\":\"a\\\"b\\/c\"}");
        Assert.NotNull(tree);
        Assert.Equal("Почта", tree["NAME"]);
        Assert.Equal("Привет 😀", tree["raw"]);
        Assert.Equal("a\"b/c", tree["esc"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"a\":")]
    [InlineData("{'a':1}")]
    [InlineData("{a:1}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,2,]")]
    [InlineData("{\"a\":1} x")]
    [InlineData("{\"a\":1 /* comment */}")]
    [InlineData("NAME=Gmail&SORT=10")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":NaN}")]
    public void Invalid_json_gives_null(string json)
    {
        Assert.Null(Parse(json));
    }

    [Fact]
    public void Invalid_utf8_gives_null()
    {
        // PHP json_decode fails with JSON_ERROR_UTF8 -> "invalid JSON is silently treated as no parameters".
        var bytes = new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' };
        Assert.Null(JsonParams.Parse(bytes));
    }

    [Fact]
    public void Lone_surrogate_escape_gives_null()
    {
        // PHP json_decode fails with JSON_ERROR_UTF16 ("Single unpaired UTF-16 surrogate").
        Assert.Null(Parse("{\"a\":\"\\ud800\"}"));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("1.5")]
    [InlineData("\"text\"")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    public void Scalar_root_gives_null(string json)
    {
        Assert.Null(Parse(json));
    }

    [Fact]
    public void Moderate_nesting_is_kept()
    {
        var json = string.Concat(Enumerable.Repeat("{\"a\":", 30)) + "1" + new string('}', 30);
        var tree = Parse(json);
        Assert.NotNull(tree);
        object? node = tree;
        for (var i = 0; i < 30; i++) node = Assert.IsType<PhpArray>(node)["a"];
        Assert.Equal(1L, node);
    }

    [Fact]
    public void Too_deep_nesting_gives_null()
    {
        var objects = string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200);
        Assert.Null(Parse(objects));
        var arrays = new string('[', 1000) + new string(']', 1000);
        Assert.Null(Parse(arrays));
    }

    [Fact]
    public void Parse_accepts_a_slice_of_a_larger_buffer()
    {
        var bytes = Encoding.UTF8.GetBytes("xx{\"a\":1}yy");
        var tree = JsonParams.Parse(bytes.AsSpan(2, 7));
        Assert.NotNull(tree);
        Assert.Equal(1L, tree["a"]);
    }

    [Fact]
    public void Up_to_the_cap_of_values_is_read_and_one_more_is_no_parameters()
    {
        var atCap = Parse("[" + string.Join(",", Enumerable.Repeat("1", JsonParams.MaxElements)) + "]");
        Assert.NotNull(atCap);
        Assert.Equal(JsonParams.MaxElements, atCap.Count);
        Assert.Null(Parse("[" + string.Join(",", Enumerable.Repeat("1", JsonParams.MaxElements + 1)) + "]"));
        // Containers count too: nested empty objects cannot slip past it.
        Assert.Null(Parse("[" + string.Join(",", Enumerable.Repeat("{}", JsonParams.MaxElements + 1)) + "]"));
    }

    [Fact]
    public void A_body_at_the_size_limit_costs_a_small_multiple_of_its_size()
    {
        // 16 MiB of one-digit numbers: eight million values.
        var body = new byte[16 * 1024 * 1024];
        Array.Fill(body, (byte)',');
        for (var i = 1; i < body.Length - 1; i += 2) body[i] = (byte)'1';
        body[0] = (byte)'[';
        body[^1] = (byte)']';
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(JsonParams.Parse(body));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < body.Length, $"{allocated:N0} bytes allocated for a {body.Length:N0}-byte body");
    }

    [Theory]
    [InlineData("{\"a\":1} x")]
    [InlineData("{\"a\":1}{}")]
    [InlineData("{\"a\":[1,2}")]
    [InlineData("{\"a\":1")]
    public void Trailing_or_missing_content_is_invalid(string json) => Assert.Null(Parse(json));

    [Fact]
    public void Numbers_beyond_a_double_are_infinite_not_an_error()
    {
        var tree = Parse("{\"big\":1e400,\"small\":-1e400}");
        Assert.NotNull(tree);
        Assert.Equal(double.PositiveInfinity, tree["big"]);
        Assert.Equal(double.NegativeInfinity, tree["small"]);
    }
}
