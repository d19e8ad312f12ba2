using Microsoft.Extensions.AI;

namespace OffGrid.Governance.Identity;

/// <summary>Names the caller of one model call for governance middleware.</summary>
public static class CallerChatOptionsExtensions
{
    /// <summary>Sets <see cref="CallerContext.PropertyName"/> on <paramref name="options"/> to <paramref name="caller"/>.</summary>
    /// <param name="options">The call's options; changed in place.</param>
    /// <param name="caller">The caller.</param>
    /// <returns>The same options.</returns>
    public static ChatOptions WithCaller(this ChatOptions options, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(caller);
        (options.AdditionalProperties ??= [])[CallerContext.PropertyName] = caller;
        return options;
    }

    /// <summary>Sets <see cref="CallerContext.PropertyName"/> on <paramref name="options"/> to the user <paramref name="userName"/>.</summary>
    /// <param name="options">The call's options; changed in place.</param>
    /// <param name="userName">The OffGrid user name.</param>
    /// <returns>The same options.</returns>
    public static ChatOptions WithCaller(this ChatOptions options, string userName)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        return options.WithCaller(new Caller(userName));
    }
}
