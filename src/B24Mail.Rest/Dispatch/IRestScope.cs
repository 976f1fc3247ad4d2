namespace B24Mail.Rest.Dispatch;

/// <summary>A scope adds its methods to the registry; the core never names a scope.</summary>
public interface IRestScope
{
    void Register(MethodRegistry registry);
}
