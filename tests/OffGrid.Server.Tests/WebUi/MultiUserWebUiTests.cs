using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OffGrid.Governance.Users;
using OffGrid.Server.Tests.Governance;

namespace OffGrid.Server.Tests.WebUi;

/// <summary>
/// The web UI of a multi-user server: without a key it says what is missing; with one, pasted or got by signing in with
/// a password, it lists models and chats.
/// </summary>
public sealed class MultiUserWebUiTests(MultiUserServer server) : IClassFixture<MultiUserServer>
{
    [Fact]
    public async Task TheKeyFieldUnlocksTheModels()
    {
        Assert.SkipUnless(File.Exists(HeadlessChromium.ExecutablePath), "Debian's chromium is not installed (eng/test.sh installs it).");
        CancellationToken token = TestContext.Current.CancellationToken;
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync(token);
        await browser.NavigateAsync(server.BaseUri, token);

        JsonNode? refusal = await browser.WaitForAsync("document.getElementById('empty')?.textContent.includes('API key') ? document.getElementById('empty').textContent : null", TimeSpan.FromSeconds(20), token);
        Assert.StartsWith("This route needs an API key", refusal?.GetValue<string>(), StringComparison.Ordinal);

        await browser.EvaluateAsync($$"""
            const key = document.getElementById('apiKey');
            key.value = '{{server.UserKey}}';
            key.dispatchEvent(new Event('change'));
            """, token);
        JsonNode? models = await browser.WaitForAsync("[...document.querySelectorAll('#model option')].map(o => o.value).join(',') || null", TimeSpan.FromSeconds(20), token);
        Assert.Contains("stories", models?.GetValue<string>() ?? string.Empty);

        await browser.EvaluateAsync("""
            document.getElementById('model').value = 'stories';
            document.getElementById('maxTokens').value = '8';
            document.getElementById('prompt').value = 'Once upon a time';
            document.getElementById('form').requestSubmit();
            """, token);
        JsonNode? stats = await browser.WaitForAsync("document.querySelector('.stats')?.textContent", TimeSpan.FromSeconds(30), token);
        Assert.Contains("tok/s", stats?.GetValue<string>() ?? string.Empty);
        Assert.Equal(server.UserKey, (await browser.EvaluateAsync("localStorage.getItem('offgrid.apiKey')", token))!.GetValue<string>());
    }

    [Fact]
    public async Task SigningInWithAPasswordGivesTheBrowserAKey()
    {
        Assert.SkipUnless(File.Exists(HeadlessChromium.ExecutablePath), "Debian's chromium is not installed (eng/test.sh installs it).");
        CancellationToken token = TestContext.Current.CancellationToken;
        await server.AddUserAsync("dora", UserRole.User, "correct horse battery");
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync(token);
        await browser.NavigateAsync(server.BaseUri, token);

        Assert.Equal(true, (await browser.WaitForAsync("!document.getElementById('signInOpen').hidden", TimeSpan.FromSeconds(20), token))?.GetValue<bool>());
        JsonNode? refused = await SignInAsync(browser, "dora", "wrong password", "document.getElementById('signInError').textContent", token);
        Assert.Equal("The user name or password is incorrect.", refused?.GetValue<string>());
        Assert.Null(await browser.EvaluateAsync("localStorage.getItem('offgrid.apiKey')", token));

        JsonNode? models = await SignInAsync(browser, "dora", "correct horse battery", "[...document.querySelectorAll('#model option')].map(o => o.value).join(',') || null", token);
        Assert.Contains("stories", models?.GetValue<string>() ?? string.Empty);
        Assert.Equal(false, (await browser.EvaluateAsync("document.getElementById('signIn').open", token))?.GetValue<bool>());
        Assert.Equal(string.Empty, (await browser.EvaluateAsync("document.getElementById('password').value", token))?.GetValue<string>());

        // The key the page keeps is a real one for dora: the API accepts it.
        string key = (await browser.EvaluateAsync("localStorage.getItem('offgrid.apiKey')", token))!.GetValue<string>();
        using HttpClient http = server.Client(key);
        (HttpResponseMessage response, JsonElement body) = await MultiUserServer.SendAsync(http, HttpMethod.Get, "/v1/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(body.GetProperty("data").EnumerateArray(), k => k.GetProperty("user").GetString() == "dora" && k.GetProperty("name").GetString() == "sign-in");
    }

    private static async Task<JsonNode?> SignInAsync(HeadlessChromium browser, string user, string password, string waitFor, CancellationToken token)
    {
        await browser.EvaluateAsync($$"""
            document.getElementById('signInOpen').click();
            document.getElementById('username').value = {{JsonSerializer.Serialize(user)}};
            document.getElementById('password').value = {{JsonSerializer.Serialize(password)}};
            document.getElementById('signInForm').requestSubmit();
            """, token);
        return await browser.WaitForAsync(waitFor, TimeSpan.FromSeconds(20), token);
    }
}
