using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

/// <summary>
/// PhpQueryParser must build the tree PHP's parse_str / $_GET / $_POST builds
/// (docs/protocol.md §2.2, §2.1). Expected values follow
/// php-src main/php_variables.c (php_register_variable_ex, PHP 8).
/// </summary>
public class PhpQueryParserTests
{
    private static PhpArray Sub(PhpArray array, string key)
    {
        Assert.True(array.ContainsKey(key), $"missing key '{key}' (keys: {string.Join(",", array.Keys)})");
        return Assert.IsType<PhpArray>(array[key]);
    }

    private static string Str(PhpArray array, string key)
    {
        Assert.True(array.ContainsKey(key), $"missing key '{key}' (keys: {string.Join(",", array.Keys)})");
        return Assert.IsType<string>(array[key]);
    }

    [Fact]
    public void Null_or_empty_query_gives_empty_tree()
    {
        Assert.Equal(0, PhpQueryParser.Parse(null).Count);
        Assert.Equal(0, PhpQueryParser.Parse("").Count);
        Assert.Equal(0, PhpQueryParser.Parse("&&&").Count);
    }

    [Fact]
    public void Plain_pairs_keep_order_and_are_strings()
    {
        var tree = PhpQueryParser.Parse("NAME=Gmail&SORT=10");
        Assert.Equal(new[] { "NAME", "SORT" }, tree.Keys);
        Assert.Equal("Gmail", Str(tree, "NAME"));
        Assert.Equal("10", Str(tree, "SORT"));
    }

    [Fact]
    public void Key_without_equals_gets_empty_string()
    {
        var tree = PhpQueryParser.Parse("flag&x=1");
        Assert.Equal(new[] { "flag", "x" }, tree.Keys);
        Assert.Equal("", Str(tree, "flag"));
        Assert.Equal("1", Str(tree, "x"));
    }

    [Fact]
    public void Value_may_contain_equals_signs()
    {
        var tree = PhpQueryParser.Parse("a=b=c");
        Assert.Equal("b=c", Str(tree, "a"));
    }

    [Fact]
    public void Plus_is_space_in_values_and_keys()
    {
        var tree = PhpQueryParser.Parse("NAME=My+Mail+Service&fields[LONG+NAME]=a+b");
        Assert.Equal("My Mail Service", Str(tree, "NAME"));
        Assert.Equal("a b", Str(Sub(tree, "fields"), "LONG NAME"));
    }

    [Fact]
    public void Percent_2B_is_a_literal_plus()
    {
        var tree = PhpQueryParser.Parse("a=1%2B1");
        Assert.Equal("1+1", Str(tree, "a"));
    }

    [Fact]
    public void Percent_encoded_brackets_are_decoded_before_splitting()
    {
        var tree = PhpQueryParser.Parse("fields%5BNAME%5D=x&fields%5bSORT%5d=5");
        var fields = Sub(tree, "fields");
        Assert.Equal(new[] { "NAME", "SORT" }, fields.Keys);
        Assert.Equal("x", Str(fields, "NAME"));
        Assert.Equal("5", Str(fields, "SORT"));
        Assert.Single(tree.Keys);
    }

    [Fact]
    public void Empty_brackets_append_with_auto_index()
    {
        var tree = PhpQueryParser.Parse("select[]=ID&select[]=NAME&select[]=SORT");
        var select = Sub(tree, "select");
        Assert.Equal(new[] { "0", "1", "2" }, select.Keys);
        Assert.Equal("ID", Str(select, "0"));
        Assert.Equal("NAME", Str(select, "1"));
        Assert.Equal("SORT", Str(select, "2"));
        Assert.True(select.IsList);
    }

    [Fact]
    public void Append_after_explicit_integer_key_uses_next_index()
    {
        var tree = PhpQueryParser.Parse("a[5]=x&a[]=y&a[2]=z&a[]=w");
        var a = Sub(tree, "a");
        Assert.Equal(new[] { "5", "6", "2", "7" }, a.Keys);
        Assert.Equal("x", Str(a, "5"));
        Assert.Equal("y", Str(a, "6"));
        Assert.Equal("z", Str(a, "2"));
        Assert.Equal("w", Str(a, "7"));
    }

    [Fact]
    public void Append_after_string_keys_starts_at_zero()
    {
        // "05" is not a canonical integer, so PHP keeps it as a string key and it does not move the next index.
        var tree = PhpQueryParser.Parse("a[x]=1&a[05]=2&a[]=3");
        var a = Sub(tree, "a");
        Assert.Equal(new[] { "x", "05", "0" }, a.Keys);
        Assert.Equal("3", Str(a, "0"));
    }

    [Fact]
    public void Append_of_nested_arrays_creates_a_new_element_each_time()
    {
        var tree = PhpQueryParser.Parse("rows[][ID]=1&rows[][ID]=2");
        var rows = Sub(tree, "rows");
        Assert.Equal(new[] { "0", "1" }, rows.Keys);
        Assert.Equal("1", Str(Sub(rows, "0"), "ID"));
        Assert.Equal("2", Str(Sub(rows, "1"), "ID"));
    }

    [Fact]
    public void Deep_nesting_builds_maps_and_lists()
    {
        var tree = PhpQueryParser.Parse(
            "fields[PHONE][0][VALUE]=1&fields[PHONE][0][VALUE_TYPE]=WORK&fields[PHONE][1][VALUE]=2&fields[NAME]=n");
        var fields = Sub(tree, "fields");
        Assert.Equal(new[] { "PHONE", "NAME" }, fields.Keys);
        var phone = Sub(fields, "PHONE");
        Assert.True(phone.IsList);
        Assert.Equal(2, phone.Count);
        var first = Sub(phone, "0");
        Assert.Equal(new[] { "VALUE", "VALUE_TYPE" }, first.Keys);
        Assert.Equal("1", Str(first, "VALUE"));
        Assert.Equal("WORK", Str(first, "VALUE_TYPE"));
        Assert.Equal("2", Str(Sub(phone, "1"), "VALUE"));
        Assert.Equal("n", Str(fields, "NAME"));
    }

    [Fact]
    public void Filter_operator_keys_are_kept_verbatim()
    {
        // '=' inside a key must be percent-encoded on the wire (http_build_query and qs both do it).
        var tree = PhpQueryParser.Parse("filter[>ID]=3&filter[%3DACTIVE]=Y&filter%5B%21%3DNAME%5D=x&filter[%3E%3DSORT]=5&filter[%25NAME]=G");
        Assert.Single(tree.Keys);
        var filter = Sub(tree, "filter");
        Assert.Equal(new[] { ">ID", "=ACTIVE", "!=NAME", ">=SORT", "%NAME" }, filter.Keys);
        Assert.Equal("3", Str(filter, ">ID"));
        Assert.Equal("Y", Str(filter, "=ACTIVE"));
        Assert.Equal("x", Str(filter, "!=NAME"));
        Assert.Equal("5", Str(filter, ">=SORT"));
        Assert.Equal("G", Str(filter, "%NAME"));
    }

    [Fact]
    public void Raw_equals_sign_in_a_key_ends_the_key_like_php()
    {
        // PHP splits each pair at its first '=': "filter[=ACTIVE]=Y" is the name "filter[" (unterminated -> "filter_")
        // with the value "ACTIVE]=Y".
        var tree = PhpQueryParser.Parse("filter[=ACTIVE]=Y");
        Assert.Equal(new[] { "filter_" }, tree.Keys);
        Assert.Equal("ACTIVE]=Y", Str(tree, "filter_"));
    }

    [Fact]
    public void Positional_parameters()
    {
        var tree = PhpQueryParser.Parse("0=123&1[POST_MESSAGE]=hi");
        Assert.Equal(new[] { "0", "1" }, tree.Keys);
        Assert.Equal("123", Str(tree, "0"));
        Assert.Equal("hi", Str(Sub(tree, "1"), "POST_MESSAGE"));
        Assert.True(tree.IsList);
    }

    [Fact]
    public void Batch_cmd_example()
    {
        var tree = PhpQueryParser.Parse("cmd[u]=user.current&halt=0");
        Assert.Equal(new[] { "cmd", "halt" }, tree.Keys);
        Assert.Equal("user.current", Str(Sub(tree, "cmd"), "u"));
        Assert.Equal("0", Str(tree, "halt"));
    }

    [Fact]
    public void Repeated_key_last_value_wins_and_keeps_first_position()
    {
        var tree = PhpQueryParser.Parse("a=1&b=2&a=3");
        Assert.Equal(new[] { "a", "b" }, tree.Keys);
        Assert.Equal("3", Str(tree, "a"));
        Assert.Equal("2", Str(tree, "b"));
    }

    [Fact]
    public void Repeated_nested_key_last_value_wins()
    {
        var tree = PhpQueryParser.Parse("fields[NAME]=a&fields[NAME]=b");
        var fields = Sub(tree, "fields");
        Assert.Single(fields.Keys);
        Assert.Equal("b", Str(fields, "NAME"));
    }

    [Fact]
    public void Empty_key_is_skipped()
    {
        var tree = PhpQueryParser.Parse("=x&a=1&=&[b]=2");
        Assert.Equal(new[] { "a" }, tree.Keys);
        Assert.Equal("1", Str(tree, "a"));
    }

    [Fact]
    public void Key_of_only_spaces_is_skipped_and_leading_spaces_are_dropped()
    {
        var tree = PhpQueryParser.Parse("+++=x&++a=1");
        Assert.Equal(new[] { "a" }, tree.Keys);
        Assert.Equal("1", Str(tree, "a"));
    }

    [Fact]
    public void Unterminated_bracket_turns_into_underscore()
    {
        var tree = PhpQueryParser.Parse("a[b=1");
        Assert.Equal(new[] { "a_b" }, tree.Keys);
        Assert.Equal("1", Str(tree, "a_b"));
    }

    [Fact]
    public void Unterminated_bracket_with_mangled_root()
    {
        var tree = PhpQueryParser.Parse("x.y[b=1");
        Assert.Equal(new[] { "x_y_b" }, tree.Keys);
    }

    [Fact]
    public void Unterminated_bracket_also_mangles_dots_spaces_and_brackets_after_it()
    {
        // PHP 8: "PHP variables cannot contain ' ', '.', '[' in their names, so we replace the characters with a '_'".
        var tree = PhpQueryParser.Parse("a[b.c+d[e=1");
        Assert.Equal(new[] { "a_b_c_d_e" }, tree.Keys);
        Assert.Equal("1", Str(tree, "a_b_c_d_e"));
    }

    [Fact]
    public void Unterminated_bracket_with_empty_root_is_skipped()
    {
        // PHP checks for an empty variable name before looking at the brackets, so "[a" is dropped.
        var tree = PhpQueryParser.Parse("[a=1&b=2");
        Assert.Equal(new[] { "b" }, tree.Keys);
    }

    [Fact]
    public void Unterminated_second_bracket_keeps_the_complete_part()
    {
        var tree = PhpQueryParser.Parse("a[b][c=1");
        var a = Sub(tree, "a");
        Assert.Equal(new[] { "b" }, a.Keys);
        Assert.Equal("1", Str(a, "b"));
    }

    [Fact]
    public void Open_bracket_inside_an_index_is_part_of_the_index()
    {
        var tree = PhpQueryParser.Parse("a[b[c]=1");
        var a = Sub(tree, "a");
        Assert.Equal(new[] { "b[c" }, a.Keys);
        Assert.Equal("1", Str(a, "b[c"));
    }

    [Fact]
    public void Dot_and_space_in_top_level_name_become_underscore()
    {
        var tree = PhpQueryParser.Parse("a.b=1&c+d=2&e%20f.g=3");
        Assert.Equal(new[] { "a_b", "c_d", "e_f_g" }, tree.Keys);
        Assert.Equal("1", Str(tree, "a_b"));
        Assert.Equal("2", Str(tree, "c_d"));
        Assert.Equal("3", Str(tree, "e_f_g"));
    }

    [Fact]
    public void Dot_and_space_inside_brackets_are_kept()
    {
        var tree = PhpQueryParser.Parse("a.b[c.d]=1&x[y+z]=2");
        Assert.Equal(new[] { "a_b", "x" }, tree.Keys);
        Assert.Equal("1", Str(Sub(tree, "a_b"), "c.d"));
        Assert.Equal("2", Str(Sub(tree, "x"), "y z"));
    }

    [Fact]
    public void Single_whitespace_index_appends_like_empty_brackets()
    {
        // php_register_variable_ex skips one isspace() char before testing for ']', so "a[ ]" is "a[]".
        var tree = PhpQueryParser.Parse("a[+]=x&a[+]=y");
        var a = Sub(tree, "a");
        Assert.Equal(new[] { "0", "1" }, a.Keys);
        Assert.Equal("x", Str(a, "0"));
        Assert.Equal("y", Str(a, "1"));
    }

    [Fact]
    public void Index_with_leading_space_and_more_text_keeps_the_space()
    {
        var tree = PhpQueryParser.Parse("a[+b]=x");
        Assert.Equal("x", Str(Sub(tree, "a"), " b"));
    }

    [Fact]
    public void Trailing_garbage_after_closing_bracket_is_dropped()
    {
        var tree = PhpQueryParser.Parse("a[b]c=1&d[e]f[g]=2");
        Assert.Equal(new[] { "a", "d" }, tree.Keys);
        var a = Sub(tree, "a");
        Assert.Equal(new[] { "b" }, a.Keys);
        Assert.Equal("1", Str(a, "b"));
        var d = Sub(tree, "d");
        Assert.Equal(new[] { "e" }, d.Keys);
        Assert.Equal("2", Str(d, "e"));
    }

    [Theory]
    [InlineData("a=%ZZ", "%ZZ")]
    [InlineData("a=%4", "%4")]
    [InlineData("a=100%", "100%")]
    [InlineData("a=%%41", "%A")]
    [InlineData("a=%g1%41", "%g1A")]
    [InlineData("a=%41%4a%4A", "AJJ")]
    public void Bad_percent_escapes_are_left_as_is(string query, string expected)
    {
        Assert.Equal(expected, Str(PhpQueryParser.Parse(query), "a"));
    }

    [Fact]
    public void Utf8_multibyte_percent_sequences_decode()
    {
        var tree = PhpQueryParser.Parse("NAME=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82&e=%E2%82%AC&s=%F0%9F%98%80");
        Assert.Equal("Привет", Str(tree, "NAME"));
        Assert.Equal("€", Str(tree, "e"));
        Assert.Equal("😀", Str(tree, "s"));
    }

    [Fact]
    public void Utf8_percent_sequences_in_keys_decode()
    {
        var tree = PhpQueryParser.Parse("fields%5B%D0%98%D0%BC%D1%8F%5D=x");
        Assert.Equal("x", Str(Sub(tree, "fields"), "Имя"));
    }

    [Fact]
    public void Raw_non_ascii_and_mixed_encoding_pass_through()
    {
        var tree = PhpQueryParser.Parse("a=Привет+%D0%BC%D0%B8%D1%80&b=😀%21");
        Assert.Equal("Привет мир", Str(tree, "a"));
        Assert.Equal("😀!", Str(tree, "b"));
    }

    private static string Brackets(int depth) => string.Concat(Enumerable.Range(0, depth).Select(i => $"[k{i}]"));

    private static object? Walk(PhpArray root, int depth)
    {
        object? node = root["a"];
        for (var i = 0; i < depth; i++) node = Assert.IsType<PhpArray>(node)[$"k{i}"];
        return node;
    }

    [Fact]
    public void Nesting_of_63_levels_is_kept()
    {
        var tree = PhpQueryParser.Parse("a" + Brackets(63) + "=v");
        Assert.Equal("v", Walk(tree, 63));
    }

    [Fact]
    public void Nesting_of_64_levels_is_kept_like_php_max_input_nesting_level()
    {
        // PHP drops a variable only when ++nest_level > max_input_nesting_level (64), i.e. at the 65th bracket pair.
        var tree = PhpQueryParser.Parse("a" + Brackets(64) + "=v");
        Assert.Equal("v", Walk(tree, 64));
    }

    [Fact]
    public void Nesting_deeper_than_64_is_dropped()
    {
        var tree = PhpQueryParser.Parse("a" + Brackets(65) + "=v&b=1");
        Assert.False(tree.ContainsKey("a"));
        Assert.Equal(new[] { "b" }, tree.Keys);

        var deeper = PhpQueryParser.Parse("a" + Brackets(200) + "=v");
        Assert.Equal(0, deeper.Count);
    }

    [Fact]
    public void Too_deep_nesting_removes_the_whole_top_level_variable_like_php()
    {
        // php_register_variable_ex calls zend_symtable_str_del(track_vars, var) when the nesting level is exceeded.
        var tree = PhpQueryParser.Parse("a[x]=1&b=2&a" + Brackets(65) + "=v");
        Assert.Equal(new[] { "b" }, tree.Keys);
    }

    [Fact]
    public void Scalar_later_overwritten_by_array()
    {
        var tree = PhpQueryParser.Parse("a=1&a[b]=2");
        var a = Sub(tree, "a");
        Assert.Equal(new[] { "b" }, a.Keys);
        Assert.Equal("2", Str(a, "b"));
    }

    [Fact]
    public void Nested_scalar_later_overwritten_by_array()
    {
        var tree = PhpQueryParser.Parse("a[b]=1&a[b][]=2");
        var b = Sub(Sub(tree, "a"), "b");
        Assert.Equal(new[] { "0" }, b.Keys);
        Assert.Equal("2", Str(b, "0"));
    }

    [Fact]
    public void Array_later_overwritten_by_scalar()
    {
        var tree = PhpQueryParser.Parse("a[b]=2&a=1");
        Assert.Equal("1", Str(tree, "a"));
    }

    [Fact]
    public void Values_are_always_strings()
    {
        var tree = PhpQueryParser.Parse("i=123&d=1.5&t=true&f=false&n=null&e=&arr[]=7");
        foreach (var key in new[] { "i", "d", "t", "f", "n", "e" }) Assert.IsType<string>(tree[key]);
        Assert.Equal("123", tree["i"]);
        Assert.Equal("1.5", tree["d"]);
        Assert.Equal("true", tree["t"]);
        Assert.Equal("false", tree["f"]);
        Assert.Equal("null", tree["n"]);
        Assert.Equal("", tree["e"]);
        Assert.Equal("7", Assert.IsType<string>(Sub(tree, "arr")["0"]));
    }

    [Fact]
    public void Empty_array_marker_from_b24pysdk_gives_one_empty_string()
    {
        var tree = PhpQueryParser.Parse("select[]=");
        var select = Sub(tree, "select");
        Assert.Equal(new[] { "0" }, select.Keys);
        Assert.Equal("", Str(select, "0"));
    }

    [Fact]
    public void ParseInto_merges_over_an_existing_tree_later_wins()
    {
        var tree = PhpQueryParser.Parse("a=1&b=2");
        PhpQueryParser.ParseInto(tree, "b=3&c=4");
        Assert.Equal(new[] { "a", "b", "c" }, tree.Keys);
        Assert.Equal("1", Str(tree, "a"));
        Assert.Equal("3", Str(tree, "b"));
        Assert.Equal("4", Str(tree, "c"));
    }
}
