using Microsoft.Extensions.Options;

namespace OffGrid.AspNetCore;

/// <summary>Checks <see cref="OffGridServerOptions"/> when the host starts, listing every problem at once.</summary>
internal sealed class OffGridServerOptionsValidator : IValidateOptions<OffGridServerOptions>
{
    public ValidateOptionsResult Validate(string? name, OffGridServerOptions options)
    {
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
