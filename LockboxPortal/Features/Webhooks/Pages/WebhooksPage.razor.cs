using LockboxPortal.Features.Webhooks;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace LockboxPortal.Features.Webhooks.Pages;

/// <summary>A security officer's (or provider admin's) webhook endpoints: list, add (the secret shown once), enable, remove.</summary>
public sealed partial class WebhooksPage
{
    private const string UrlField = "Url";
    private const string EventTypesField = "EventTypes";
    private const string ProviderKey = "provider";

    private IReadOnlyList<WebhookOwner> _owners = [];
    private Guid? _owner;
    private IReadOnlyList<WebhookEndpoint> _endpoints = [];
    private CreatedWebhook? _created;
    private string? _url;
    private WebhookKind _kind = WebhookKind.Standard;
    private HashSet<string> _types = ["AccessRequest.InternalApproved", "AccessRequest.CustomerApproved", "AccessRequest.CustomerRejected"];
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private string? _failure;
    private bool _busy;

    [Inject]
    private WebhookService Webhooks { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _owners = await Webhooks.ListOwnersAsync(await UserAsync());
            if (_owners.Count == 0)
            {
                _failure = "You keep no webhooks.";
                return;
            }

            // An officer's own tenant first; the provider's endpoints for a provider admin.
            _owner = _owners.FirstOrDefault(o => o.TenantId is not null)?.TenantId ?? _owners[0].TenantId;
            await LoadAsync();
        }
        catch (LockboxRuleException ex)
        {
            _failure = ex.Message;
        }
    }

    private static string OwnerKey(Guid? tenantId) => tenantId?.ToString() ?? ProviderKey;

    private async Task PickOwnerAsync(string key)
    {
        _owner = key == ProviderKey ? null : Guid.Parse(key);
        _created = null;
        await LoadAsync();
    }

    private async Task LoadAsync() => _endpoints = await Webhooks.ListAsync(await UserAsync(), _owner);

    private void Toggle(string type, bool on)
    {
        if (on)
        {
            _types.Add(type);
        }
        else
        {
            _types.Remove(type);
        }
    }

    private async Task CreateAsync() => await RunAsync(async user =>
    {
        _created = await Webhooks.CreateAsync(user, _owner, new WebhookInput(_kind, _url, _types.ToList()));
        _url = null;
        Snackbar.Add("Endpoint added.", Severity.Success);
    });

    private Task EnableAsync(Guid id) => RunAsync(async user =>
    {
        await Webhooks.EnableAsync(user, id);
        Snackbar.Add("Endpoint enabled.", Severity.Success);
    });

    private Task DeleteAsync(Guid id) => RunAsync(async user =>
    {
        await Webhooks.DeleteAsync(user, id);
        _created = null;
        Snackbar.Add("Endpoint removed.", Severity.Success);
    });

    private async Task RunAsync(Func<System.Security.Claims.ClaimsPrincipal, Task> action)
    {
        _busy = true;
        _errors = new Dictionary<string, string[]>();
        try
        {
            await action(await UserAsync());
            await LoadAsync();
        }
        catch (InvalidInputException ex)
        {
            _errors = ex.Errors;
            if (!ex.Errors.ContainsKey(UrlField) && !ex.Errors.ContainsKey(EventTypesField))
            {
                Snackbar.Add(ex.Message, Severity.Warning);
            }
        }
        catch (LockboxRuleException ex)
        {
            Snackbar.Add(ex.Message, Severity.Warning);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task CopySecretAsync()
    {
        if (_created is { } created)
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", created.Secret);
            Snackbar.Add("Secret copied.", Severity.Info);
        }
    }

    private bool Has(string field) => _errors.ContainsKey(field);

    private string? ErrorOf(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private async Task<System.Security.Claims.ClaimsPrincipal> UserAsync() => (await AuthenticationState).User;
}
