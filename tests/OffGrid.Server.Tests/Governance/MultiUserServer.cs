using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Users;
using OffGrid.Testing;

namespace OffGrid.Server.Tests.Governance;

/// <summary>
/// The whole server (<see cref="OffGridWebApplication.Create"/>) in multi-user mode on loopback, its governance files in a
/// fresh home, with an administrator (<c>ada</c>), a user (<c>bob</c>) and an auditor (<c>carl</c>), each with a key.
/// </summary>
public sealed class MultiUserServer : IAsyncLifetime
{
    private readonly string _home = TestPaths.NewTempDir("offgrid-multi-user");

    public WebApplication App { get; private set; } = null!;

    public Uri BaseUri { get; private set; } = null!;

    public string AdminKey { get; private set; } = null!;

    public string UserKey { get; private set; } = null!;

    public string AuditorKey { get; private set; } = null!;

    public string GovernanceDirectory => Path.Combine(_home, "governance");

    public async ValueTask InitializeAsync()
    {
        App = Create(_home);
        await App.StartAsync(TestContext.Current.CancellationToken);
        BaseUri = new Uri(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        AdminKey = await AddUserAsync("ada", UserRole.Admin);
        UserKey = await AddUserAsync("bob", UserRole.User);
        AuditorKey = await AddUserAsync("carl", UserRole.Auditor);
    }

    /// <summary>Builds the multi-user server over <paramref name="home"/>, not started.</summary>
    internal static WebApplication Create(string home, params string[] extraArgs) => OffGridWebApplication.Create(
        [$"--Hub:HomeDirectory={home}", "--Hub:HuggingFace:Endpoint=http://127.0.0.1:9/", "--Server:Auth:Mode=MultiUser", "--Server:Auth:Lockout:MaxFailedAttempts=3", .. extraArgs],
        options => ServerFixture.Configure(options, preload: []));

    /// <summary>Creates a user with a key, through the same services the server uses.</summary>
    public async Task<string> AddUserAsync(string name, UserRole role, string? password = null)
    {
        await App.Services.GetRequiredService<UserDirectory>().AddAsync(name, role, password, TestContext.Current.CancellationToken);
        CreatedApiKey key = await App.Services.GetRequiredService<ApiKeyStore>().CreateAsync(name, "test", cancellationToken: TestContext.Current.CancellationToken);
        return key.Secret;
    }

    /// <summary>A client that sends <paramref name="key"/> as OpenAI's SDKs do (none when <see langword="null"/>).</summary>
    public HttpClient Client(string? key)
    {
        var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>Sends a request and parses its JSON answer (default when the body is empty or not JSON).</summary>
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        HttpResponseMessage response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonElement json = default;
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0)
        {
            json = JsonDocument.Parse(text).RootElement.Clone();
        }

        return (response, json);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}
