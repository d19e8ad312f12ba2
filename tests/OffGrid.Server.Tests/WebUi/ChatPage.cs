using System.Text.Json.Nodes;
using OffGrid.Testing.Browser;

namespace OffGrid.Server.Tests.WebUi;

/// <summary>What a person does on the web UI's chat page, through <see cref="HeadlessChromium"/>.</summary>
internal static class ChatPage
{
    /// <summary>Waits until the model list is filled and returns its names, comma-separated (empty after 20 s).</summary>
    public static async Task<string> WaitForModelsAsync(HeadlessChromium browser, CancellationToken cancellationToken)
    {
        JsonNode? models = await browser.WaitForAsync("[...document.querySelectorAll('#model option')].map(o => o.value).join(',') || null", TimeSpan.FromSeconds(20), cancellationToken);
        return models?.GetValue<string>() ?? string.Empty;
    }

    /// <summary>Sends <paramref name="prompt"/> to <paramref name="model"/> and returns the statistics line under the answer (empty after 30 s).</summary>
    public static async Task<string> SendAsync(HeadlessChromium browser, string model, string prompt, int maxTokens, double temperature, CancellationToken cancellationToken)
    {
        await browser.EvaluateAsync($$"""
            document.getElementById('model').value = {{JsonValue.Create(model).ToJsonString()}};
            document.getElementById('temperature').value = '{{temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}}';
            document.getElementById('maxTokens').value = '{{maxTokens}}';
            document.getElementById('prompt').value = {{JsonValue.Create(prompt).ToJsonString()}};
            document.getElementById('form').requestSubmit();
            """, cancellationToken);
        JsonNode? stats = await browser.WaitForAsync("document.querySelector('.stats')?.textContent", TimeSpan.FromSeconds(30), cancellationToken);
        return stats?.GetValue<string>() ?? string.Empty;
    }
}
