using B24Mail.Rest.Batch;
using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

public sealed class BatchReferencesTests
{
    private static BatchReferences With(PhpArray result) => new(result, new PhpArray(), PhpArray.From(("l", 120L)), new PhpArray(), new PhpArray());

    private static readonly PhpArray Results = PhpArray.From(
        ("g", PhpArray.From(("NAME", "gmail"), ("ID", "1"), ("LIST", PhpArray.List(["a", "b"])))),
        ("n", 42L));

    [Fact]
    public void A_key_that_is_a_reference_to_a_string_is_replaced()
    {
        var output = With(Results).Substitute(PhpArray.From(("$result[g][NAME]", "v"), ("k$result[g][ID]", "w")));
        Assert.Equal(["gmail", "k1"], output.Keys);
    }

    [Fact]
    public void Whole_values_take_any_type_and_embedded_ones_only_strings()
    {
        var output = With(Results).Substitute(PhpArray.From(
            ("int", "$result[n]"),
            ("array", "$result[g][LIST]"),
            ("item", "$result[g][LIST][1]"),
            ("text", "id $result[g][ID] of $result[n]"),
            ("total", "$total[l]"),
            ("nested", PhpArray.From(("x", "$result[g][NAME]")))));
        Assert.Equal(42L, output["int"]);
        Assert.Equal(["a", "b"], ((PhpArray)output["array"]!).Select(p => p.Value));
        Assert.Equal("b", output["item"]);
        Assert.Equal("id 1 of $result[n]", output["text"]);
        Assert.Equal(120L, output["total"]);
        Assert.Equal("gmail", ((PhpArray)output["nested"]!)["x"]);
    }

    [Fact]
    public void A_walk_stops_quietly_at_the_first_missing_key()
    {
        var output = With(Results).Substitute(PhpArray.From(("a", "$result[g][NOPE][deeper]"), ("b", "$result[zz]"), ("c", "x $result[g][NOPE]")));
        Assert.Equal("gmail", ((PhpArray)output["a"]!)["NAME"]);
        Assert.Same(Results, output["b"]);
        Assert.Equal("x $result[g][NOPE]", output["c"]);
    }

    [Fact]
    public void Text_without_references_is_untouched()
    {
        var output = With(Results).Substitute(PhpArray.From(("a", "price $5"), ("b", "$resultx"), ("c", "$results[g]")));
        Assert.Equal("price $5", output["a"]);
        // "$result" followed by more letters names the whole result map, which is not text: left as written.
        Assert.Equal("$resultx", output["b"]);
        Assert.Equal("$results[g]", output["c"]);
    }
}
