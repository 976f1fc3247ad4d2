using System.Text.Json;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

/// <summary>PHP json_encode shapes (docs/protocol.md §3.3, docs/decisions.md #16).</summary>
public class PhpJsonWriterTests
{
    private sealed class Record(string id, string name) : IPhpSerializable
    {
        public PhpArray ToPhp() => PhpArray.From(("ID", id), ("NAME", name));
    }

    [Fact]
    public void Empty_array_is_json_list()
    {
        Assert.Equal("[]", PhpJsonWriter.ToJson(new PhpArray()));
    }

    [Fact]
    public void Empty_nested_array_is_json_list_even_where_an_object_is_meant()
    {
        var body = PhpArray.From(("result", new PhpArray()), ("result_error", new PhpArray()));
        Assert.Equal("{\"result\":[],\"result_error\":[]}", PhpJsonWriter.ToJson(body));
    }

    [Fact]
    public void Sequential_keys_are_a_json_array()
    {
        var list = PhpArray.List(new object?[] { "a", "b", "c" });
        Assert.Equal("[\"a\",\"b\",\"c\"]", PhpJsonWriter.ToJson(list));

        var explicitKeys = PhpArray.From(("0", "x"), ("1", "y"));
        Assert.Equal("[\"x\",\"y\"]", PhpJsonWriter.ToJson(explicitKeys));
    }

    [Fact]
    public void Gap_in_keys_gives_an_object()
    {
        var array = PhpArray.From(("0", "a"), ("2", "b"));
        Assert.Equal("{\"0\":\"a\",\"2\":\"b\"}", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void Integer_keys_out_of_order_give_an_object()
    {
        var array = PhpArray.From(("1", "a"), ("0", "b"));
        Assert.Equal("{\"1\":\"a\",\"0\":\"b\"}", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void Keys_not_starting_at_zero_give_an_object()
    {
        var array = PhpArray.From(("1", "a"), ("2", "b"));
        Assert.Equal("{\"1\":\"a\",\"2\":\"b\"}", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void Non_canonical_integer_key_gives_an_object()
    {
        var array = PhpArray.From(("0", "a"), ("01", "b"));
        Assert.Equal("{\"0\":\"a\",\"01\":\"b\"}", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void List_after_removing_last_element_is_still_a_list_but_not_after_removing_first()
    {
        var array = PhpArray.List(new object?[] { "a", "b", "c" });
        array.Remove("2");
        Assert.Equal("[\"a\",\"b\"]", PhpJsonWriter.ToJson(array));
        array.Remove("0");
        Assert.Equal("{\"1\":\"b\"}", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void String_keys_keep_insertion_order()
    {
        var array = PhpArray.From(("SORT", "10"), ("ACTIVE", "Y"), ("ID", "31"), ("NAME", "Gmail"));
        Assert.Equal("{\"SORT\":\"10\",\"ACTIVE\":\"Y\",\"ID\":\"31\",\"NAME\":\"Gmail\"}", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void Overwriting_a_key_keeps_its_position()
    {
        var array = PhpArray.From(("a", "1"), ("b", "2"));
        array.Set("a", "3");
        Assert.Equal("{\"a\":\"3\",\"b\":\"2\"}", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void Scalars()
    {
        var array = PhpArray.From(
            ("n", null), ("t", true), ("f", false), ("l", 31L), ("neg", -7L), ("i", 5),
            ("d", 1.5), ("time", 1774005930.256403), ("s", "31"));
        Assert.Equal(
            "{\"n\":null,\"t\":true,\"f\":false,\"l\":31,\"neg\":-7,\"i\":5,\"d\":1.5,\"time\":1774005930.256403,\"s\":\"31\"}",
            PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void Top_level_scalars()
    {
        Assert.Equal("null", PhpJsonWriter.ToJson(null));
        Assert.Equal("true", PhpJsonWriter.ToJson(true));
        Assert.Equal("31", PhpJsonWriter.ToJson(31L));
        Assert.Equal("\"x\"", PhpJsonWriter.ToJson("x"));
    }

    [Fact]
    public void Long_extremes_are_exact()
    {
        var array = PhpArray.List(new object?[] { long.MaxValue, long.MinValue });
        Assert.Equal("[9223372036854775807,-9223372036854775808]", PhpJsonWriter.ToJson(array));
    }

    [Fact]
    public void Nested_arrays()
    {
        var body = PhpArray.From(
            ("result", PhpArray.List(new object?[]
            {
                PhpArray.From(("ID", "1"), ("NAME", "Gmail")),
                PhpArray.From(("ID", "2"), ("NAME", "Yandex")),
            })),
            ("next", 50L),
            ("total", 60L),
            ("time", PhpArray.From(("start", 1.25))));
        Assert.Equal(
            "{\"result\":[{\"ID\":\"1\",\"NAME\":\"Gmail\"},{\"ID\":\"2\",\"NAME\":\"Yandex\"}],\"next\":50,\"total\":60,\"time\":{\"start\":1.25}}",
            PhpJsonWriter.ToJson(body));
    }

    [Theory]
    [InlineData("He said \"hi\"")]
    [InlineData("back\\slash and /slash/")]
    [InlineData("<b>&amp;</b> 'quoted'")]
    [InlineData("Привет, мир")]
    [InlineData("€ 😀 中文")]
    [InlineData("line\nbreak\ttab\r\u0001\u001f")]
    [InlineData("")]
    public void Strings_round_trip_through_system_text_json(string text)
    {
        var json = PhpJsonWriter.ToJson(PhpArray.From(("k", text)));
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.Equal(text, doc.RootElement.GetProperty("k").GetString());
    }

    [Fact]
    public void Keys_with_special_characters_round_trip()
    {
        var key = "\"Имя\" <>&/";
        var json = PhpJsonWriter.ToJson(PhpArray.From((key, "v")));
        using var doc = JsonDocument.Parse(json);
        var property = Assert.Single(doc.RootElement.EnumerateObject());
        Assert.Equal(key, property.Name);
        Assert.Equal("v", property.Value.GetString());
    }

    [Fact]
    public void ToBytes_is_utf8_of_ToJson()
    {
        var value = PhpArray.From(("NAME", "Почта"));
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(PhpJsonWriter.ToJson(value)), PhpJsonWriter.ToBytes(value));
        using var doc = JsonDocument.Parse(PhpJsonWriter.ToBytes(value));
        Assert.Equal("Почта", doc.RootElement.GetProperty("NAME").GetString());
    }

    [Fact]
    public void IPhpSerializable_is_written_via_ToPhp()
    {
        Assert.Equal("{\"ID\":\"31\",\"NAME\":\"Gmail\"}", PhpJsonWriter.ToJson(new Record("31", "Gmail")));
    }

    [Fact]
    public void IPhpSerializable_inside_arrays()
    {
        var list = PhpArray.List(new object?[] { new Record("1", "a"), new Record("2", "b") });
        Assert.Equal("[{\"ID\":\"1\",\"NAME\":\"a\"},{\"ID\":\"2\",\"NAME\":\"b\"}]", PhpJsonWriter.ToJson(PhpArray.From(("result", list))["result"]));
        Assert.Equal(
            "{\"result\":[{\"ID\":\"1\",\"NAME\":\"a\"},{\"ID\":\"2\",\"NAME\":\"b\"}]}",
            PhpJsonWriter.ToJson(PhpArray.From(("result", list))));
    }

    [Fact]
    public void Plain_dotnet_collections()
    {
        Assert.Equal("[1,2]", PhpJsonWriter.ToJson(new List<long> { 1, 2 }));
        Assert.Equal("[]", PhpJsonWriter.ToJson(new Dictionary<string, object?>()));
        Assert.Equal("{\"a\":\"b\"}", PhpJsonWriter.ToJson(new Dictionary<string, object?> { ["a"] = "b" }));
    }
}
