// viem against an anchor network: read client, the anchoring account (secret ANCHOR_PRIVATE_KEY), fee estimates,
// locally signed anchor transactions (so the hash is known before broadcast) and not-found-tolerant lookups.
import {
  BaseError,
  HttpRequestError,
  TimeoutError,
  createPublicClient,
  defineChain,
  http,
  keccak256,
  Eip1559FeesNotSupportedError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Chain,
  type Hex,
  type HttpTransport,
  type PublicClient,
  type Transaction,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { Fees } from "../domain/anchor-rules";
import type { Hex32 } from "../domain/merkle";
import type { AnchorNetwork } from "./networks";

const RPC_TIMEOUT_MS = 10_000;

export type ChainClient = PublicClient<HttpTransport, Chain>;

export function chainOf(network: AnchorNetwork) {
  return defineChain({
    id: network.chainId,
    name: network.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [network.rpcUrl] } },
  });
}

export function chainClient(network: AnchorNetwork, timeoutMs = RPC_TIMEOUT_MS): ChainClient {
  // One retry rides out a blip; an RPC that is really down fails fast so the cron leaves records pending.
  return createPublicClient({
    chain: chainOf(network),
    transport: http(network.rpcUrl, { timeout: timeoutMs, retryCount: 1 }),
  });
}

export function anchorAccount(privateKey: string): PrivateKeyAccount {
  return privateKeyToAccount(privateKey as Hex);
}

/** The node's fee estimate: EIP-1559 where the chain has a base fee, else its legacy gas price. */
export async function estimateFees(client: ChainClient): Promise<Fees> {
  try {
    const fees = await client.estimateFeesPerGas({ type: "eip1559" });
    return { type: "eip1559", maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
  } catch (err) {
    if (!(err instanceof Eip1559FeesNotSupportedError)) throw err;
    return { type: "legacy", gasPrice: await client.getGasPrice() };
  }
}

export interface AnchorTxInput {
  network: AnchorNetwork;
  nonce: number;
  gas: bigint;
  fees: Fees;
  root: Hex32;
}

/** Signs the 0-value self-transfer whose input data is exactly the root; returns the raw tx and its hash. */
export async function signAnchorTx(account: PrivateKeyAccount, input: AnchorTxInput) {
  const base = {
    chainId: input.network.chainId,
    to: account.address,
    value: 0n,
    data: input.root,
    nonce: input.nonce,
    gas: input.gas,
  };
  const serialized =
    input.fees.type === "legacy"
      ? await account.signTransaction({ ...base, type: "legacy", gasPrice: input.fees.gasPrice })
      : await account.signTransaction({
          ...base,
          type: "eip1559",
          maxFeePerGas: input.fees.maxFeePerGas,
          maxPriorityFeePerGas: input.fees.maxPriorityFeePerGas,
        });
  return { serialized, hash: keccak256(serialized) as Hex32 };
}

/** Gas for an anchor tx (32 bytes of calldata), measured by the node with a worst-case all-non-zero root. */
export async function estimateAnchorGas(client: ChainClient, account: PrivateKeyAccount): Promise<bigint> {
  const gas = await client.estimateGas({
    account: account.address,
    to: account.address,
    value: 0n,
    data: `0x${"ff".repeat(32)}`,
  });
  return (gas * 110n + 99n) / 100n;
}

export async function findReceipt(client: ChainClient, hash: Hex): Promise<TransactionReceipt | null> {
  try {
    return await client.getTransactionReceipt({ hash });
  } catch (err) {
    if (err instanceof TransactionReceiptNotFoundError) return null;
    throw err;
  }
}

export async function findTransaction(client: ChainClient, hash: Hex): Promise<Transaction | null> {
  try {
    return await client.getTransaction({ hash });
  } catch (err) {
    if (err instanceof TransactionNotFoundError) return null;
    throw err;
  }
}

/** The head block number, never served from viem's cache (confirmations would stall otherwise). */
export function headBlock(client: ChainClient): Promise<bigint> {
  return client.getBlockNumber({ cacheTime: 0 });
}

/** The request may or may not have reached the node (connection dropped, timed out): unlike a refusal, unknown. */
export function isTransportError(err: unknown): boolean {
  if (!(err instanceof BaseError)) return false;
  return err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) !== null;
}
