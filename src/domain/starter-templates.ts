// The industry starter templates shipped with Escra (NDA, freelance services, sale of goods). Fixed ids so seeding
// is idempotent; they have no owner and everyone can instantiate them.
import type { TemplateVariable } from "./templates";

export interface StarterTemplate {
  id: string;
  name: string;
  description: string;
  category: string;
  contractType: string;
  body: string;
  variables: TemplateVariable[];
}

export const STARTER_TEMPLATES: readonly StarterTemplate[] = [
  {
    id: "tpl_StarterNDA0000000000",
    name: "Mutual non-disclosure agreement",
    description: "Both parties keep each other's confidential information secret.",
    category: "legal",
    contractType: "nda",
    variables: [
      { name: "disclosingParty", label: "First party", required: true },
      { name: "receivingParty", label: "Second party", required: true },
      { name: "purpose", label: "Purpose of the disclosure", required: true },
      { name: "termMonths", label: "Confidentiality term (months)", default: "24" },
      { name: "governingLaw", label: "Governing law", default: "the Federal Republic of Nigeria" },
    ],
    body: [
      "MUTUAL NON-DISCLOSURE AGREEMENT",
      "",
      "This agreement is made between {{disclosingParty}} and {{receivingParty}} (each a \"Party\").",
      "",
      "1. Purpose. The Parties wish to exchange confidential information for the purpose of {{purpose}}.",
      "2. Confidentiality. Each Party shall keep the other's confidential information secret, use it only for the Purpose, and disclose it only to those who need to know it and are bound by equivalent duties.",
      "3. Exclusions. Information that is public, already known, independently developed or lawfully received from a third party is not confidential.",
      "4. Term. These obligations last {{termMonths}} months from the date of the last signature.",
      "5. Return. On request, each Party shall return or destroy the other's confidential information.",
      "6. Law. This agreement is governed by the laws of {{governingLaw}}.",
    ].join("\n"),
  },
  {
    id: "tpl_StarterFreelance0000",
    name: "Freelance services agreement",
    description: "A client engages a freelancer for defined deliverables, fee and schedule.",
    category: "services",
    contractType: "services",
    variables: [
      { name: "clientName", label: "Client", required: true },
      { name: "freelancerName", label: "Freelancer", required: true },
      { name: "services", label: "Services and deliverables", required: true },
      { name: "fee", label: "Fee (with currency)", required: true },
      { name: "deadline", label: "Delivery date", required: true },
      { name: "paymentTermsDays", label: "Payment terms (days)", default: "14" },
    ],
    body: [
      "FREELANCE SERVICES AGREEMENT",
      "",
      "Client: {{clientName}}",
      "Freelancer: {{freelancerName}}",
      "",
      "1. Services. The Freelancer shall provide: {{services}}.",
      "2. Delivery. Deliverables are due by {{deadline}}.",
      "3. Fee. The Client shall pay {{fee}} within {{paymentTermsDays}} days of accepting the deliverables.",
      "4. Ownership. On full payment, the rights in the deliverables pass to the Client.",
      "5. Independence. The Freelancer is an independent contractor, not an employee.",
      "6. Termination. Either party may end this agreement with written notice; work accepted before then is paid.",
    ].join("\n"),
  },
  {
    id: "tpl_StarterSaleOfGoods00",
    name: "Sale of goods agreement",
    description: "A seller sells described goods to a buyer at a price, with delivery and inspection terms.",
    category: "commerce",
    contractType: "sale",
    variables: [
      { name: "sellerName", label: "Seller", required: true },
      { name: "buyerName", label: "Buyer", required: true },
      { name: "goods", label: "Description of the goods", required: true },
      { name: "price", label: "Price (with currency)", required: true },
      { name: "deliveryAddress", label: "Delivery address", required: true },
      { name: "inspectionDays", label: "Inspection period (days)", default: "3" },
    ],
    body: [
      "SALE OF GOODS AGREEMENT",
      "",
      "Seller: {{sellerName}}",
      "Buyer: {{buyerName}}",
      "",
      "1. Goods. The Seller sells and the Buyer buys: {{goods}}.",
      "2. Price. The price is {{price}}, held in escrow until the Buyer accepts the goods.",
      "3. Delivery. The Seller delivers the goods to {{deliveryAddress}}.",
      "4. Inspection. The Buyer may inspect the goods for {{inspectionDays}} days after delivery and accept or reject them.",
      "5. Title and risk. Title and risk pass to the Buyer on acceptance.",
      "6. Warranty. The Seller warrants that it owns the goods and that they match the description.",
    ].join("\n"),
  },
];
