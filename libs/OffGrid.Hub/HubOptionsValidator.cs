using Microsoft.Extensions.Options;

namespace OffGrid.Hub;

/// <summary>Validates <see cref="HubOptions"/> when the options are first resolved (at start with ValidateOnStart), listing every problem.</summary>
internal sealed class HubOptionsValidator : IValidateOptions<HubOptions>
{
    public ValidateOptionsResult Validate(string? name, HubOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.HomeDirectory))
        {
            errors.Add("HubOptions.HomeDirectory must be set.");
        }

        if (options.HuggingFace is null)
        {
            errors.Add("HubOptions.HuggingFace must be set.");
        }
        else
        {
            errors.AddRange(options.HuggingFace.Validate().Select(error => $"HubOptions.HuggingFace: {error}"));
        }

        if (options.MemoryBudgetBytes is <= 0)
        {
            errors.Add("HubOptions.MemoryBudgetBytes must be positive.");
        }

        if (options.Downloads is null)
        {
            errors.Add("HubOptions.Downloads must be set.");
        }
        else
        {
            try
            {
                options.Downloads.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                errors.Add($"HubOptions.Downloads: {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
