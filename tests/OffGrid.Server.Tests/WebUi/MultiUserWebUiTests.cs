using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OffGrid.Governance.Users;
using OffGrid.Server.Tests.Governance;
using OffGrid.Testing.Browser;

namespace OffGrid.Server.Tests.WebUi;

/// <summary>
/// The web UI of a multi-user server: without a key it says what is missing; with one, pasted or got by signing in with
/// a password, it lists models and chats.
/// </summary>
public sealed class MultiUserWebUiTests(MultiUserServer server) : IClassFixture<MultiUserServer>
{
    /// <summary>The keys table as lines of name|id|status|expires, in the page's order.</summary>
    private const string RowsScript =
        "[...document.querySelectorAll('#keyRows tr')].map(r => [...r.cells].slice(0, 4).map(c => c.textContent).join('|')).join('\\n') || null";

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
        Assert.Contains("stories", await ChatPage.WaitForModelsAsync(browser, token));

        Assert.Contains("tok/s", await ChatPage.SendAsync(browser, "stories", "Once upon a time", maxTokens: 8, temperature: 0.7, token));
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
        await SignInAsync(browser, "dora", "wrong password", token);
        JsonNode? refused = await browser.WaitForAsync("document.getElementById('signInError').textContent", TimeSpan.FromSeconds(20), token);
        Assert.Equal("The user name or password is incorrect.", refused?.GetValue<string>());
        Assert.Null(await browser.EvaluateAsync("localStorage.getItem('offgrid.apiKey')", token));

        await SignInAsync(browser, "dora", "correct horse battery", token);
        Assert.Contains("stories", await ChatPage.WaitForModelsAsync(browser, token));
        Assert.Equal(false, (await browser.EvaluateAsync("document.getElementById('signIn').open", token))?.GetValue<bool>());
        Assert.Equal(string.Empty, (await browser.EvaluateAsync("document.getElementById('password').value", token))?.GetValue<string>());

        // The key the page keeps is a real one for dora: the API accepts it.
        string key = (await browser.EvaluateAsync("localStorage.getItem('offgrid.apiKey')", token))!.GetValue<string>();
        using HttpClient http = server.Client(key);
        (HttpResponseMessage response, JsonElement body) = await MultiUserServer.SendAsync(http, HttpMethod.Get, "/v1/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(body.GetProperty("data").EnumerateArray(), k => k.GetProperty("user").GetString() == "dora" && k.GetProperty("name").GetString() == "sign-in");
    }

    [Fact]
    public async Task TheKeysDialogCreatesListsAndRevokesTheUsersOwnKeys()
    {
        Assert.SkipUnless(File.Exists(HeadlessChromium.ExecutablePath), "Debian's chromium is not installed (eng/test.sh installs it).");
        CancellationToken token = TestContext.Current.CancellationToken;
        string key = await server.AddUserAsync("erin", UserRole.User);
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync(token);
        await browser.NavigateAsync(server.BaseUri, token);
        await browser.WaitForAsync("typeof useKey === 'function'", TimeSpan.FromSeconds(20), token);
        await browser.EvaluateAsync($"useKey('{key}')", token);
        Assert.Equal(true, (await browser.WaitForAsync("!document.getElementById('keysOpen').hidden", TimeSpan.FromSeconds(20), token))?.GetValue<bool>());

        await browser.EvaluateAsync("document.getElementById('keysOpen').click()", token);
        JsonNode? rows = await browser.WaitForAsync(RowsScript, TimeSpan.FromSeconds(20), token);
        Assert.Equal($"test|{key[..15]} (this browser)|active|never", rows?.GetValue<string>());

        await browser.EvaluateAsync("""
            document.getElementById('keyName').value = 'laptop';
            document.getElementById('keyDays').value = '30';
            document.getElementById('keyForm').requestSubmit();
            """, token);
        string shown = (await browser.WaitForAsync("document.getElementById('newKey').hidden ? null : document.getElementById('newKey').textContent", TimeSpan.FromSeconds(20), token))!.GetValue<string>();
        string created = shown[(shown.LastIndexOf(' ') + 1)..];
        Assert.StartsWith("og_", created, StringComparison.Ordinal);
        string expires = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        rows = await browser.WaitForAsync($"(r => r.split('\\n').length === 2 ? r : null)({RowsScript})", TimeSpan.FromSeconds(20), token);
        Assert.Contains($"laptop|{created[..15]}|active|{expires}", rows?.GetValue<string>() ?? string.Empty);

        // The key shown works against the API until it is revoked from the dialog.
        using HttpClient laptop = server.Client(created);
        Assert.Equal(HttpStatusCode.OK, (await MultiUserServer.SendAsync(laptop, HttpMethod.Get, "/v1/models")).Response.StatusCode);
        await browser.EvaluateAsync("[...document.querySelectorAll('#keyRows tr')].find(r => r.cells[0].textContent === 'laptop').querySelector('button').click()", token);
        rows = await browser.WaitForAsync($"(r => r.includes('laptop|{created[..15]}|revoked') ? r : null)({RowsScript})", TimeSpan.FromSeconds(20), token);
        Assert.NotNull(rows);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MultiUserServer.SendAsync(laptop, HttpMethod.Get, "/v1/models")).Response.StatusCode);

        // Revoking the key the browser itself uses signs it out.
        await browser.EvaluateAsync("[...document.querySelectorAll('#keyRows tr')].find(r => r.cells[1].textContent.endsWith('(this browser)')).querySelector('button').click()", token);
        Assert.Equal(true, (await browser.WaitForAsync("!document.getElementById('signInOpen').hidden", TimeSpan.FromSeconds(20), token))?.GetValue<bool>());
        Assert.Equal(string.Empty, (await browser.EvaluateAsync("localStorage.getItem('offgrid.apiKey')", token))?.GetValue<string>());
        using HttpClient revoked = server.Client(key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MultiUserServer.SendAsync(revoked, HttpMethod.Get, "/v1/models")).Response.StatusCode);
    }

    private static Task<JsonNode?> SignInAsync(HeadlessChromium browser, string user, string password, CancellationToken token) =>
        browser.EvaluateAsync($$"""
            document.getElementById('signInOpen').click();
            document.getElementById('username').value = {{JsonSerializer.Serialize(user)}};
            document.getElementById('password').value = {{JsonSerializer.Serialize(password)}};
            document.getElementById('signInForm').requestSubmit();
            """, token);
}
