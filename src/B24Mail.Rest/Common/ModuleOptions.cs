using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace B24Mail.Rest.Common;

/// <summary>How a module offers its options once bound and checked.</summary>
public static class ModuleOptions
{
    /// <summary>
    /// Checked when the server or a command starts, and offered as the plain object too: the classes that
    /// use them take the options themselves, as the tests build them.
    /// </summary>
    public static OptionsBuilder<T> Offered<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(this OptionsBuilder<T> options) where T : class
    {
        options.ValidateOnStart();
        options.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return options;
    }
}
