// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Client } from '@/lib/api-types';
import { apiError, json, mockFetch } from '@/test/fetch';
import { useAuthStore } from '@/stores/auth';

import { ClientForm } from './ClientForm';

const saved: Client = {
  id: 9,
  display_name: 'Meera Iyer',
  broker: 'simulator',
  broker_client_id: 'SIM9',
  credentials_set: {},
  is_active: true,
  opening_cash: '0',
  owner_id: 2,
  summary: null,
  created_at: '2026-12-01T04:00:00Z',
  updated_at: '2026-12-01T04:00:00Z',
} as Client;

beforeEach(() => {
  useAuthStore.setState({
    accessToken: 'acc',
    hydrated: true,
    user: { id: 2, email: 'a@example.com', full_name: 'Arun', role: 'advisor', is_active: true, created_at: '2026-01-01T00:00:00Z' },
  });
});
afterEach(() => vi.unstubAllGlobals());

const fill = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('ClientForm', () => {
  it('adds a client with a blank opening cash as the API default 0, and no empty secrets', async () => {
    const calls = mockFetch({ 'POST /api/v1/clients': () => json(201, saved) });
    const onSaved = vi.fn();
    render(<ClientForm onSaved={onSaved} onCancel={() => {}} />);
    fill('Name', 'Meera Iyer');
    fill('Broker client id', 'SIM9');
    fireEvent.click(screen.getByTestId('client-form-save'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(saved));
    expect(calls[0]!.body).toEqual({ display_name: 'Meera Iyer', broker: 'simulator', broker_client_id: 'SIM9', opening_cash: '0' });
  });

  it('ties each field to its error, and shows the server refusal in words', async () => {
    mockFetch({ 'POST /api/v1/clients': () => apiError(409, 'DUPLICATE_CLIENT', 'That broker client id is taken') });
    render(<ClientForm onSaved={() => {}} onCancel={() => {}} />);
    fireEvent.click(screen.getByTestId('client-form-save'));
    await screen.findByText('Name is required');
    expect(screen.getByLabelText('Name').getAttribute('aria-describedby')).toBe('cf-name-error');
    fill('Name', 'Meera Iyer');
    fill('Broker client id', 'SIM9');
    fireEvent.click(screen.getByTestId('client-form-save'));
    expect((await screen.findByTestId('error')).textContent).toBe('That broker client id is taken');
  });
});
