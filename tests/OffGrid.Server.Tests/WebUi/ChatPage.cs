using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OffGrid.Server.Tests.WebUi;

/// <summary>What a person does on the web UI's chat page.</summary>
internal static class ChatPage
{
    /// <summary>Waits until the model list offers <paramref name="model"/>.</summary>
    public static Task WaitForModelAsync(IPage page, string model) =>
        Expect(page.Locator($"#model option[value='{model}']")).ToHaveCountAsync(1);

    /// <summary>Pastes <paramref name="key"/> into the key field and leaves it, as a person does.</summary>
    public static async Task EnterKeyAsync(IPage page, string key)
    {
        await page.Locator("#apiKey").FillAsync(key);
        await page.Locator("#apiKey").PressAsync("Tab");
    }

    /// <summary>Sends <paramref name="prompt"/> to <paramref name="model"/> and returns the statistics line under the answer.</summary>
    public static async Task<string> SendAsync(IPage page, string model, string prompt, int maxTokens, double temperature)
    {
        await page.Locator("#model").SelectOptionAsync(model);
        await page.Locator("#temperature").FillAsync(temperature.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#maxTokens").FillAsync(maxTokens.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#prompt").FillAsync(prompt);
        await page.Locator("#send").ClickAsync();
        ILocator stats = page.Locator(".stats").First;
        await Expect(stats).ToBeVisibleAsync();
        return await stats.TextContentAsync() ?? string.Empty;
    }
}
