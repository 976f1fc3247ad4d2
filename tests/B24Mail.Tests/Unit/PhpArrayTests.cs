using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

/// <summary>PHP's array semantics that results and parameters rely on, small and past the size where an index is built.</summary>
public sealed class PhpArrayTests
{
    [Fact]
    public void Append_takes_the_next_integer_key_after_the_largest_and_never_overwrites()
    {
        var array = new PhpArray();
        array.Set("-5", "negative");
        array.Set("name", "x");
        array.Append("a");          // 0: no integer key at or above 0 yet
        array.Set("7", "seven");
        array.Append("b");          // 8
        array.Set("3", "three");    // below the next key: changes nothing about it
        array.Append("c");          // 9
        Assert.Equal(["-5", "name", "0", "7", "8", "3", "9"], array.Keys);
        Assert.Equal("negative", array["-5"]);
        Assert.Equal("a", array["0"]);
        Assert.Equal("b", array["8"]);
        Assert.Equal("c", array["9"]);
    }

    [Fact]
    public void Append_after_the_largest_integer_key_adds_nothing_and_never_duplicates_a_key()
    {
        var array = new PhpArray();
        array.Set("-9223372036854775807", "low");
        array.Set("9223372036854775807", "max");
        array.Append("a");
        array.Append("b");
        Assert.Equal(["-9223372036854775807", "9223372036854775807"], array.Keys);
        Assert.Equal("max", array["9223372036854775807"]);

        var parsed = PhpQueryParser.Parse("a[-9223372036854775807]=low&a[9223372036854775807]=max&a[]=x&a[]=y");
        var a = Assert.IsType<PhpArray>(parsed["a"]);
        Assert.Equal(["-9223372036854775807", "9223372036854775807"], a.Keys);
    }

    [Fact]
    public void Append_after_a_removal_does_not_reuse_the_removed_key()
    {
        var array = PhpArray.List(["a", "b", "c"]);
        Assert.True(array.Remove("2"));
        array.Append("d");
        Assert.Equal(["0", "1", "3"], array.Keys);
        Assert.False(array.IsList);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(1500)]
    public void Lookups_set_and_remove_agree_below_and_above_the_index_size(int count)
    {
        var array = PhpArray.List(Enumerable.Range(0, count).Select(i => (object?)("v" + i)));
        Assert.True(array.IsList);
        Assert.Equal(count, array.Count);
        Assert.Equal("v" + (count - 1), array[(count - 1).ToString()]);
        Assert.Null(array[count.ToString()]);

        array.Set("1", "changed");
        Assert.Equal(count, array.Count);
        Assert.Equal("changed", array["1"]);

        Assert.True(array.Remove("0"));
        Assert.False(array.ContainsKey("0"));
        Assert.Equal("changed", array["1"]);
        Assert.Equal("v" + (count - 1), array[(count - 1).ToString()]);

        array.Append("last");
        Assert.Equal("last", array[count.ToString()]);
        Assert.Equal(count, array.Count);
    }

    [Fact]
    public void Many_distinct_string_keys_stay_distinct()
    {
        var array = new PhpArray();
        for (var i = 0; i < 100; i++) array.Set("k" + i, i);
        for (var i = 0; i < 100; i++) array.Set("k" + i, i * 2);
        Assert.Equal(100, array.Count);
        Assert.Equal(198, array["k99"]);
        Assert.Equal(0, array["k0"]);
    }
}
